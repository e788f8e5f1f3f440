using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using System.Text;
using AnyClaude.Host.Admin;

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
        var (status, problem) = await StatusCommand.FetchAsync(http, proxy, CancellationToken.None).ConfigureAwait(false);
        if (status is null)
        {
            error.WriteLine(problem);
            return 1;
        }

        output.Write(FormatStatus(status));
        return 0;
    }

    /// <summary><c>/admin/status</c>'s answer as aligned text.</summary>
    public static string FormatStatus(ProxyStatus status)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"default backend: {status.Mode}");
        text.AppendLine("routes:");
        if (status.Routes.Count == 0)
        {
            text.AppendLine("  (none: every request goes to the default, or to the backend its model names)");
        }

        foreach (var route in status.Routes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {route}");
        }

        text.AppendLine("backends:");
        foreach (var backend in status.Backends)
        {
            string health = backend.HealthName;
            string state = health == "up" ? "no recent failures"
                : health == "unknown" ? "health not checked yet"
                : backend.Failures == 0 ? "down (its health check fails)"
                : backend.RetryAt is { } retryAt
                    ? $"unhealthy, skipped until {retryAt.ToLocalTime():HH:mm:ss} ({backend.Failures} failures)"
                    : $"unhealthy, being retried ({backend.Failures} failures)";
            string fallback = string.Join(", ", backend.Fallback);
            string window = $"; window {WindowText.Of(backend)}";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {backend.Name,-16} {backend.Kind,-10} {backend.Url,-32} {state}; in flight {backend.InFlight}{window}{(fallback.Length > 0 ? $"; fallback {fallback}" : "")}");
            if (backend.LastError is { } lastError)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {"",-16} last error: {lastError}");
            }

            foreach (var destination in backend.Destinations ?? [])
            {
                string destinationHealth = destination.HealthName;
                string up = destinationHealth != "down"
                    ? destinationHealth
                    : $"down ({destination.Failures} failures{(destination.LastError is { } error ? $": {error}" : "")})";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {"",-16} destination {destination.Url}: {up}; in flight {destination.InFlight}; conversations {destination.Conversations}");
            }
        }

        text.AppendLine("recent requests:");
        if (status.Recent.Count == 0)
        {
            text.AppendLine("  (none yet)");
        }

        foreach (var item in status.Recent)
        {
            string ttft = item.TtftSeconds is { } t ? $"{t:0.000} s" : "-";
            string cached = item.CachedShare is { } c ? $"{c:P0}" : "-";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {item.At.ToLocalTime():HH:mm:ss} {item.Backend,-16} {item.Model,-28} {item.Class,-10} {item.Status} ttft {ttft}, cached {cached}{Strategy(item)}");
        }

        if (status.Conversations.Count > 0)
        {
            text.AppendLine("conversations (prompt tokens the backends' caches served):");
            foreach (var conversation in status.Conversations)
            {
                string share = conversation.CachedShare is { } c ? $"{c:P0}" : "-";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {conversation.Key,-44} {conversation.Backend,-16} {conversation.Requests} requests, {conversation.CachedTokens} of {conversation.PromptTokens} prompt tokens cached ({share})");
            }
        }

        return text.ToString();
    }

    private static string Strategy(RecentRequestStatus item) => item.Strategy is { Length: > 0 } text ? $" ({text})" : "";

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
