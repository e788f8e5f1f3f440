using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace AnyClaude.LoadBench;

/// <summary>What one streamed answer gave: time to the first content delta and to the end, and the usage it reported.</summary>
internal sealed record Answer(double TtftMs, double TotalMs, int InputTokens, int CachedTokens)
{
    /// <summary>The prompt as the server counted it (uncached + cached).</summary>
    public int PromptTokens => InputTokens + CachedTokens;
}

/// <summary>POST /v1/messages, streamed: time to the first content delta, and the usage the answer reports.</summary>
internal sealed class MessagesClient(Uri root) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(10) };

    /// <param name="path">the path and query, e.g. <c>/v1/messages?beta=true</c> as Claude Code sends it.</param>
    /// <param name="headers">more request headers (Claude Code's own: <c>x-claude-code-request-class</c> and the like).</param>
    public async Task<Answer> SendAsync(byte[] body, IEnumerable<KeyValuePair<string, string>>? headers = null, string path = "/v1/messages")
    {
        long start = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(root, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("x-api-key", "bench-key");
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode} from {root}: {await response.Content.ReadAsStringAsync()}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync();
        double first = double.NaN;
        int input = 0, cached = 0;
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            if (item.EventType == "error")
            {
                throw new InvalidOperationException($"event: error from {root}: {item.Data}");
            }

            if (item.EventType == "content_block_delta" && double.IsNaN(first))
            {
                first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            if (item.EventType is "message_start" or "message_delta")
            {
                using var json = JsonDocument.Parse(item.Data);
                var usage = item.EventType == "message_start" ? json.RootElement.GetProperty("message").GetProperty("usage") : json.RootElement.GetProperty("usage");
                input = Number(usage, "input_tokens") ?? input;
                cached = Number(usage, "cache_read_input_tokens") ?? cached;
            }
        }

        return new Answer(double.IsNaN(first) ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : first, Stopwatch.GetElapsedTime(start).TotalMilliseconds, input, cached);
    }

    /// <summary>A usage field the answer filled in (a zero in message_delta after a non-zero message_start is a missing figure, not a real zero).</summary>
    private static int? Number(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.GetInt32() > 0 ? value.GetInt32() : null;

    public void Dispose() => _http.Dispose();
}
