using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using System.Text;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude mode NAME [--port N]</c> and <c>anyclaude status [--port N]</c>: talk to the running proxy's
/// loopback-only admin endpoints (which proxy: <see cref="ProxyLocator"/>). A switch the proxy made is remembered for
/// the next start (<see cref="ModeMemory"/>). Exit codes: 0 done, 1 no proxy answering, 2 no such backend.
/// </summary>
internal static class ControlCommands
{
    public static async Task<int> ModeAsync(Uri proxy, string backend, string? apiKey, TextWriter output, TextWriter error, ModeMemory? memory = null)
    {
        using var http = Client(proxy, apiKey);
        try
        {
            using var response = await http.PostAsJsonAsync("admin/mode", new Dictionary<string, string> { ["mode"] = backend }).ConfigureAwait(false);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                error.WriteLine($"anyclaude: {ErrorMessage(json)}");
                return 2;
            }

            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"anyclaude: the proxy at {proxy} answered {(int)response.StatusCode}: {ErrorMessage(json)}");
                return 1;
            }

            string mode = json.RootElement.GetProperty("mode").GetString()!;
            string previous = json.RootElement.GetProperty("previous").GetString()!;
            output.WriteLine(previous == mode ? $"default backend: {mode} (unchanged)" : $"default backend: {mode} (was {previous})");
            try
            {
                memory?.Remember(mode);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"anyclaude: warning: the choice is not remembered for the next start: {memory!.Path}: {exception.Message}");
            }

            return 0;
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            error.WriteLine(NotRunning(proxy));
            return 1;
        }
    }

    public static async Task<int> StatusAsync(Uri proxy, string? apiKey, TextWriter output, TextWriter error)
    {
        using var http = Client(proxy, apiKey);
        try
        {
            using var response = await http.GetAsync("admin/status").ConfigureAwait(false);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"anyclaude: the proxy at {proxy} answered {(int)response.StatusCode}: {ErrorMessage(json)}");
                return 1;
            }

            output.Write(FormatStatus(json.RootElement));
            return 0;
        }
        catch (Exception exception) when (IsUnreachable(exception))
        {
            error.WriteLine(NotRunning(proxy));
            return 1;
        }
    }

    /// <summary><c>/admin/status</c>'s answer as aligned text.</summary>
    public static string FormatStatus(JsonElement status)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"default backend: {status.GetProperty("mode").GetString()}");
        text.AppendLine("routes:");
        var routes = status.GetProperty("routes").EnumerateArray().Select(r => r.GetString()).ToList();
        if (routes.Count == 0)
        {
            text.AppendLine("  (none: every request goes to the default, or to the backend its model names)");
        }

        foreach (var route in routes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {route}");
        }

        text.AppendLine("backends:");
        foreach (var backend in status.GetProperty("backends").EnumerateArray())
        {
            string health = StatusView.HealthOf(backend);
            string state = health == "up" ? "no recent failures"
                : health == "unknown" ? "health not checked yet"
                : backend.GetProperty("failures").GetInt32() == 0 ? "down (its health check fails)"
                : backend.TryGetProperty("retryAt", out var retryAt)
                    ? $"unhealthy, skipped until {retryAt.GetDateTimeOffset().ToLocalTime():HH:mm:ss} ({backend.GetProperty("failures").GetInt32()} failures)"
                    : $"unhealthy, being retried ({backend.GetProperty("failures").GetInt32()} failures)";
            string fallback = string.Join(", ", backend.GetProperty("fallback").EnumerateArray().Select(f => f.GetString()));
            string window = $"; window {WindowText.Of(backend)}";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {backend.GetProperty("name").GetString(),-16} {backend.GetProperty("kind").GetString(),-10} {backend.GetProperty("url").GetString(),-32} {state}; in flight {backend.GetProperty("inFlight").GetInt32()}{window}{(fallback.Length > 0 ? $"; fallback {fallback}" : "")}");
            if (backend.TryGetProperty("lastError", out var lastError))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {"",-16} last error: {lastError.GetString()}");
            }

            var destinations = backend.TryGetProperty("destinations", out var pool) ? pool.EnumerateArray().ToList() : [];
            foreach (var destination in destinations)
            {
                string destinationHealth = StatusView.HealthOf(destination);
                string up = destinationHealth != "down"
                    ? destinationHealth
                    : $"down ({destination.GetProperty("failures").GetInt32()} failures{(destination.TryGetProperty("lastError", out var error) ? $": {error.GetString()}" : "")})";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {"",-16} destination {destination.GetProperty("url").GetString()}: {up}; in flight {destination.GetProperty("inFlight").GetInt32()}; conversations {destination.GetProperty("conversations").GetInt32()}");
            }
        }

        text.AppendLine("recent requests:");
        var recent = status.GetProperty("recent").EnumerateArray().ToList();
        if (recent.Count == 0)
        {
            text.AppendLine("  (none yet)");
        }

        foreach (var item in recent)
        {
            string ttft = item.GetProperty("ttftSeconds") is { ValueKind: JsonValueKind.Number } t ? $"{t.GetDouble():0.000} s" : "-";
            string cached = item.GetProperty("cachedShare") is { ValueKind: JsonValueKind.Number } c ? $"{c.GetDouble():P0}" : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {item.GetProperty("at").GetDateTimeOffset().ToLocalTime():HH:mm:ss} {item.GetProperty("backend").GetString(),-16} {item.GetProperty("model").GetString(),-28} {item.GetProperty("class").GetString(),-10} {item.GetProperty("status").GetInt32()} ttft {ttft}, cached {cached}{Strategy(item)}");
        }

        if (status.TryGetProperty("conversations", out var conversations) && conversations.GetArrayLength() > 0)
        {
            text.AppendLine("conversations (prompt tokens the backends' caches served):");
            foreach (var conversation in conversations.EnumerateArray())
            {
                string share = conversation.GetProperty("cachedShare") is { ValueKind: JsonValueKind.Number } c ? $"{c.GetDouble():P0}" : "-";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {conversation.GetProperty("key").GetString(),-44} {conversation.GetProperty("backend").GetString(),-16} {conversation.GetProperty("requests").GetInt32()} requests, {conversation.GetProperty("cachedTokens").GetInt64()} of {conversation.GetProperty("promptTokens").GetInt64()} prompt tokens cached ({share})");
            }
        }

        return text.ToString();
    }

    private static string Strategy(JsonElement item) =>
        item.TryGetProperty("strategy", out var strategy) && strategy.GetString() is { Length: > 0 } text ? $" ({text})" : "";

    internal static HttpClient Client(Uri proxy, string? apiKey)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(3) }) { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(10) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        return http;
    }

    internal static string ErrorMessage(JsonDocument json) =>
        json.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message) ? message.GetString() ?? "" : json.RootElement.GetRawText();

    internal static bool IsUnreachable(Exception exception) =>
        exception is HttpRequestException { InnerException: SocketException } or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } or TaskCanceledException or JsonException;

    internal static string NotRunning(Uri proxy) =>
        $"anyclaude: no anyclaude proxy answers on {proxy.GetLeftPart(UriPartial.Authority)}; start one (`anyclaude` or `anyclaude --proxy-only`), or pass the port it runs on with --port";
}
