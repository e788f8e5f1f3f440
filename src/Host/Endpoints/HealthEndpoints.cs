using AnyClaude.Host.Backends;
using AnyClaude.Host.Http;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Endpoints;

/// <summary><c>/health/live</c>: the proxy runs. <c>/health/ready</c>: the selected backend answers too.</summary>
internal sealed class HealthEndpoints(BackendRegistry backends)
{
    public static Task LiveAsync(HttpContext context) => WriteAsync(context, 200, "ok", null, null);

    public async Task ReadyAsync(HttpContext context)
    {
        var backend = backends.Selected;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var health = await backend.CheckHealthAsync(timeout.Token).ConfigureAwait(false);
        await WriteAsync(context, health.IsHealthy ? 200 : 503, health.IsHealthy ? "ok" : "unavailable", backend.Name, health.Description).ConfigureAwait(false);
    }

    private static Task WriteAsync(HttpContext context, int status, string state, string? backend, string? detail) =>
        JsonResponses.WriteAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", state);
            if (backend is not null)
            {
                json.WriteString("backend", backend);
                json.WriteString("detail", detail);
            }

            json.WriteEndObject();
        });
}
