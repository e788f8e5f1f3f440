using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Routing;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Endpoints;

/// <summary>
/// <c>/health/live</c>: the proxy runs. <c>/health/ready</c>: every backend is asked (in parallel); the answer is 200
/// when the default backend answers, 503 when it does not, and lists each backend's state under <c>backends</c>.
/// </summary>
internal sealed class HealthEndpoints(BackendRegistry backends, LiveRouting routing)
{
    public static Task LiveAsync(HttpContext context) => JsonResponses.WriteAsync(context, 200, json =>
    {
        json.WriteStartObject();
        json.WriteString("status", "ok");
        json.WriteEndObject();
    });

    public async Task ReadyAsync(HttpContext context)
    {
        var table = routing.Current;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var names = table.BackendNames.ToList();
        var results = await Task.WhenAll(names.Select(n => CheckAsync(n, timeout.Token))).ConfigureAwait(false);
        int selected = names.FindIndex(n => string.Equals(n, table.Mode, StringComparison.OrdinalIgnoreCase));
        var mine = selected >= 0 ? results[selected] : BackendHealth.Unhealthy($"no backend named '{table.Mode}' is configured");
        await JsonResponses.WriteAsync(context, mine.IsHealthy ? 200 : 503, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", mine.IsHealthy ? "ok" : "unavailable");
            json.WriteString("backend", table.Mode);
            json.WriteString("detail", mine.Description);
            json.WriteStartArray("backends");
            for (int i = 0; i < names.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("name", names[i]);
                json.WriteString("status", results[i].IsHealthy ? "ok" : "unavailable");
                json.WriteString("detail", results[i].Description);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private async Task<BackendHealth> CheckAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await backends.Get(name).CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AnthropicException exception)
        {
            return BackendHealth.Unhealthy(exception.Message);
        }
        catch (OperationCanceledException)
        {
            return BackendHealth.Unhealthy($"backend '{name}' did not answer its health check within 5 s");
        }
    }
}
