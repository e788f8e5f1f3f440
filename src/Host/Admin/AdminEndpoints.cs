using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Cache;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Proxy.Telemetry;
using AnyClaude.Host.Servers;
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
internal sealed partial class AdminEndpoints(
    BackendRegistry backends,
    LiveRouting routing,
    BackendHealthTracker health,
    BackendQueues queues,
    RecentRequests recent,
    RequestStatistics statistics,
    ConversationCaches conversations,
    Prewarmer prewarmer,
    ServerSupervisors servers,
    ILogger<AdminEndpoints> logger)
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

    private Task StatusAsync(HttpContext context) => JsonResponses.WriteAsync(context, StatusCodes.Status200OK, WriteStatus);

    /// <summary><c>/admin/status</c>'s answer (also the dashboard's live feed).</summary>
    public void WriteStatus(Utf8JsonWriter json)
    {
        var table = routing.Current;
        Write();

        void Write()
        {
            json.WriteStartObject();
            json.WriteString("mode", table.Mode);
            json.WriteStartArray("routes");
            foreach (var route in table.Routes)
            {
                json.WriteStringValue(route.ToString());
            }

            json.WriteEndArray();
            json.WriteStartArray("backends");
            foreach (string name in table.BackendNames)
            {
                var state = health.Snapshot(name);
                var settings = backends.SettingsOf(name);
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("kind", settings?.Kind);
                json.WriteString("url", settings?.Url.ToString());
                json.WriteBoolean("healthy", state.Healthy);
                json.WriteString("health", state.HealthText);
                json.WriteNumber("inFlight", state.InFlight);
                var queue = queues.Snapshot(name);
                json.WriteNumber("queued", queue.Waiting);
                if (queue.Limit is { } limit)
                {
                    json.WriteNumber("maxInFlight", limit);
                }

                json.WriteNumber("failures", state.Failures);
                var instance = backends.All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
                if (instance is PooledBackend pool)
                {
                    PoolStatusJson.Write(json, pool);
                }

                if (state.RetryAt is { } retryAt)
                {
                    json.WriteString("retryAt", retryAt);
                }

                if (state.LastError is { } error)
                {
                    json.WriteString("lastError", error);
                }

                json.WriteStartArray("fallback");
                foreach (string fallback in table.FallbacksOf(name))
                {
                    json.WriteStringValue(fallback);
                }

                json.WriteEndArray();
                StatusFigures.Write(json, name, backends, statistics);
                if (prewarmer.WarmOf(name) is { Count: > 0 } warm)
                {
                    json.WriteStartObject("warm");
                    foreach (var (kind, tokens) in warm)
                    {
                        json.WriteNumber(kind, tokens);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("recent");
            foreach (var item in recent.Snapshot())
            {
                json.WriteStartObject();
                json.WriteString("at", item.At);
                json.WriteString("backend", item.Backend);
                json.WriteString("model", item.Model);
                json.WriteString("class", item.Class);
                json.WriteNumber("status", item.Status);
                WriteNumberOrNull(json, "ttftSeconds", item.TtftSeconds);
                WriteNumberOrNull(json, "cachedShare", item.CachedShare);
                json.WriteNumber("promptTokens", item.PromptTokens);
                json.WriteNumber("cachedTokens", item.CachedTokens);
                json.WriteString("strategy", item.Strategy);
                json.WriteString("conversation", item.Conversation);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteConversations(json, conversations.Snapshot());
            WriteServers(json, servers.Statuses);
            json.WriteEndObject();
        }
    }

    /// <summary>The model servers of backends with a <c>start</c> command: who started them, their process, uptime and restarts.</summary>
    private static void WriteServers(Utf8JsonWriter json, IReadOnlyList<ServerStatus> servers)
    {
        json.WriteStartArray("servers");
        foreach (var server in servers)
        {
            json.WriteStartObject();
            json.WriteString("backend", server.Backend);
            json.WriteString("command", server.Command);
            json.WriteString("state", server.StateName);
            json.WriteBoolean("startedByAnyClaude", server.StartedByAnyClaude);
            if (server.ProcessId is { } pid)
            {
                json.WriteNumber("processId", pid);
            }
            else
            {
                json.WriteNull("processId");
            }

            WriteNumberOrNull(json, "uptimeSeconds", server.Uptime?.TotalSeconds);
            json.WriteNumber("restarts", server.Restarts);
            json.WriteString("message", server.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteConversations(Utf8JsonWriter json, IReadOnlyList<ConversationCache> conversations)
    {
        json.WriteStartArray("conversations");
        foreach (var conversation in conversations)
        {
            json.WriteStartObject();
            json.WriteString("key", conversation.Key);
            json.WriteString("backend", conversation.Backend);
            json.WriteNumber("requests", conversation.Requests);
            json.WriteNumber("promptTokens", conversation.PromptTokens);
            json.WriteNumber("cachedTokens", conversation.CachedTokens);
            WriteNumberOrNull(json, "cachedShare", conversation.CachedShare);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, Math.Round(number, 6));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "default backend switched from '{Previous}' to '{Mode}' (anyclaude mode)")]
    private static partial void LogModeChanged(ILogger logger, string previous, string mode);
}
