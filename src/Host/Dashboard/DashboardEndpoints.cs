using System.Buffers;
using System.Text.Json;
using AnyClaude.Host.Admin;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Proxy.Telemetry;
using AnyClaude.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AnyClaude.Host.Dashboard;

/// <summary>
/// The live dashboard, loopback only: <c>GET /ui</c> and its static files (embedded in the host: no build step, nothing
/// fetched from elsewhere), and <c>GET /ui/events</c>, server-sent events with a snapshot every
/// <see cref="Interval"/>: the admin status, the requests running now, and each backend's last hour of time to first
/// token and cached share. The page switches the default through <c>POST /ui/mode</c> (<c>POST /admin/mode</c>'s twin, for
/// browsers only: same-origin requests alone). With an access key the page is reached through a one-time link
/// (<c>POST /admin/ui-token</c>, <see cref="DashboardAccess"/>).
/// </summary>
internal sealed class DashboardEndpoints(
    AdminEndpoints admin,
    ProxyStatusBuilder status,
    LiveRequests live,
    BackendQueues queues,
    RequestStatistics statistics,
    LiveRouting routing,
    DashboardAccess access,
    AnyClaudeOptions options)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    public void Map(WebApplication app)
    {
        var ui = app.MapGroup("/ui").RequireLoopback();
        ui.MapGet("", context => FileAsync(context, "index.html"));
        ui.MapGet("/events", EventsAsync);
        ui.MapGet("/{file}", context => FileAsync(context, (string)context.Request.RouteValues["file"]!));
        ui.MapPost("/mode", admin.SetModeAsync).RequireSameOrigin(originRequired: true);
        AdminGroup.Map(app).MapPost("/ui-token", LinkAsync);
    }

    /// <summary>
    /// The dashboard's path for <c>anyclaude ui</c>: with an access key a one-time link (<c>/ui?token=…</c>, good for
    /// <see cref="DashboardAccess.TokenLifetime"/>), else plain <c>/ui</c>.
    /// </summary>
    private Task LinkAsync(HttpContext context) => JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json =>
    {
        json.WriteStartObject();
        if (string.IsNullOrEmpty(options.ApiKey))
        {
            json.WriteString("path", "/ui");
        }
        else
        {
            json.WriteString("path", $"/ui?token={access.IssueToken()}");
            json.WriteNumber("expiresInSeconds", (int)DashboardAccess.TokenLifetime.TotalSeconds);
        }

        json.WriteEndObject();
    });

    private static async Task FileAsync(HttpContext context, string file)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream($"dashboard/{file}");
        if (stream is null || !ContentTypes.TryGetValue(Path.GetExtension(file), out var contentType))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        // The page loads only its own files and talks only to this proxy.
        context.Response.Headers["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task EventsAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                buffer.ResetWrittenCount();
                "event: snapshot\ndata: "u8.CopyTo(buffer.GetSpan(32));
                buffer.Advance("event: snapshot\ndata: "u8.Length);
                using (var json = new Utf8JsonWriter(buffer))
                {
                    WriteSnapshot(json);
                }

                "\n\n"u8.CopyTo(buffer.GetSpan(2));
                buffer.Advance(2);
                await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void WriteSnapshot(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WritePropertyName("status");
        status.Write(json);
        json.WriteStartArray("live");
        foreach (var request in live.Snapshot())
        {
            json.WriteStartObject();
            json.WriteString("id", request.Id);
            json.WriteString("backend", request.Backend);
            json.WriteString("model", request.Model);
            json.WriteString("class", request.Class);
            json.WriteNumber("elapsedSeconds", Math.Round(request.ElapsedSeconds, 1));
            json.WriteString("phase", request.Generating ? "generating" : queues.IsWaiting(request.Id) ? "queued" : "prefill");
            json.WriteNumber("deltas", request.Deltas);
            if (request.Prefill is var (done, total))
            {
                json.WriteNumber("prefillDone", done);
                json.WriteNumber("prefillTotal", total);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("series");
        foreach (string backend in routing.Current.BackendNames)
        {
            json.WriteStartArray(backend);
            foreach (var sample in statistics.SamplesOf(backend))
            {
                json.WriteStartArray();
                json.WriteNumberValue(sample.At.ToUnixTimeMilliseconds());
                WriteNumberOrNull(json, sample.TtftSeconds);
                WriteNumberOrNull(json, sample.CachedShare);
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumberValue(Math.Round(number, 3));
        }
        else
        {
            json.WriteNullValue();
        }
    }
}
