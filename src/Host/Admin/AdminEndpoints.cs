using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Admin;

/// <summary>
/// The loopback-only control endpoints <c>anyclaude mode</c> and <c>anyclaude status</c> talk to:
/// <c>POST /admin/mode</c> <c>{"mode": "NAME"}</c> switches the default backend for the next request (those in flight
/// finish where they started); <c>GET /admin/status</c> reports the default, the routes, each backend's health and
/// requests in flight, and the last few requests.
/// </summary>
internal sealed partial class AdminEndpoints(ProxyStatusBuilder status, LiveRouting routing, ILogger<AdminEndpoints> logger)
{
    public void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/mode", SetModeAsync);
        admin.MapGet("/status", StatusAsync);
    }

    /// <summary><c>POST /admin/mode</c>; the dashboard's <c>POST /ui/mode</c> too.</summary>
    public async Task SetModeAsync(HttpContext context)
    {
        string? name = null;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String)
            {
                name = mode.GetString();
            }
        }
        catch (JsonException)
        {
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw AnthropicException.InvalidRequest("the body must be {\"mode\": \"BACKEND\"}");
        }

        string previous = routing.Current.Mode;
        if (!routing.TrySetMode(name, out var table))
        {
            throw new AnthropicException(
                AnthropicErrorTypes.NotFound,
                $"no backend named '{name}' is configured (configured: {string.Join(", ", table.BackendNames)})",
                statusCode: 404,
                shouldRetry: false);
        }

        LogModeChanged(logger, previous, table.Mode);
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("mode", table.Mode);
            json.WriteString("previous", previous);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private Task StatusAsync(HttpContext context) => JsonResponses.WriteAsync(context, StatusCodes.Status200OK, status.Write);

    [LoggerMessage(Level = LogLevel.Information, Message = "default backend switched from '{Previous}' to '{Mode}' (anyclaude mode)")]
    private static partial void LogModeChanged(ILogger logger, string previous, string mode);
}
