using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnyClaude.LoadBench;

internal sealed record LoadResult(int Requests, int Failures, double Seconds, double[] TtftMs, double[] TotalMs, string? FirstError)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double TtftP50 => Percentile(TtftMs, 0.50);

    public double TtftP99 => Percentile(TtftMs, 0.99);

    public double TotalP50 => Percentile(TotalMs, 0.50);

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// A closed-loop load generator: C workers on keep-alive connections, each sending the same Claude Code-shaped
/// request, parsing every SSE frame and checking the Anthropic event grammar and the streamed content, and
/// recording the time to the first <c>content_block_delta</c> and to the end of the stream.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _messages;

    public LoadGenerator(Uri baseUrl, int connections)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        { Timeout = TimeSpan.FromSeconds(60) };
        _messages = new Uri(baseUrl, "/v1/messages");
    }

    /// <summary>The request every target gets (about 96 KB; see <c>ClaudeCodeRequest</c>); the tool variant adds the marker.</summary>
    public static byte[] RequestBody(bool tool)
    {
        byte[] body = AnyClaude.Benchmarks.ClaudeCodeRequest.Create();
        if (!tool)
        {
            return body;
        }

        var node = JsonNode.Parse(body)!;
        var content = (JsonArray)node["messages"]!.AsArray()[^1]!["content"]!;
        content.Add(new JsonObject { ["type"] = "text", ["text"] = $"Now read the parser. {Streams.ToolMarker}" });
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    /// <summary>Runs C workers until <paramref name="duration"/> has passed or <paramref name="maxRequests"/> were sent.</summary>
    public async Task<LoadResult> RunAsync(byte[] body, bool tool, int concurrency, TimeSpan duration, int maxRequests)
    {
        var ttft = new List<double>[concurrency];
        var total = new List<double>[concurrency];
        int sent = 0;
        int failures = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        var deadline = duration;
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            ttft[worker] = [];
            total[worker] = [];
            while (clock.Elapsed < deadline && Interlocked.Increment(ref sent) <= maxRequests)
            {
                try
                {
                    var (first, end) = await OneAsync(body, tool);
                    ttft[worker].Add(first);
                    total[worker].Add(end);
                }
                catch (Exception exception)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstError, exception.GetType().Name + ": " + exception.Message, null);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        double seconds = clock.Elapsed.TotalSeconds;
        var ttftAll = ttft.SelectMany(x => x).Order().ToArray();
        var totalAll = total.SelectMany(x => x).Order().ToArray();
        return new LoadResult(ttftAll.Length, failures, seconds, ttftAll, totalAll, firstError);
    }

    /// <summary>One request: returns (ms to the first content_block_delta, ms to the end of the stream).</summary>
    public async Task<(double Ttft, double Total)> OneAsync(byte[] body, bool tool, bool checkText = true)
    {
        long start = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, _messages) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("x-api-key", "bench-key");
        request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
        request.Headers.TryAddWithoutValidation("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14");
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {Truncate(await response.Content.ReadAsStringAsync())}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync();
        var validator = new StreamValidator(tool, checkText);
        double first = double.NaN;
        await foreach (var item in SseParser.Create(stream, static (type, data) => Parse(type, data)).EnumerateAsync())
        {
            validator.Add(item);
            if (double.IsNaN(first) && item.Data.Type == "content_block_delta")
            {
                first = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        validator.Finish();
        return (first, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] : text;

    internal readonly record struct Frame(string SseEvent, string? Type, int Index, string? DeltaType, string? Text, string? StopReason, string? BlockType, string? ToolName);

    private static Frame Parse(string sseEvent, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return new Frame(sseEvent, null, -1, null, null, null, null, null);
        }

        using var document = JsonDocument.Parse(data.ToArray());
        var root = document.RootElement;
        string? type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
        int index = root.TryGetProperty("index", out var i) ? i.GetInt32() : -1;
        string? deltaType = null, text = null, stopReason = null, blockType = null, toolName = null;
        if (root.TryGetProperty("delta", out var delta))
        {
            deltaType = delta.TryGetProperty("type", out var dt) ? dt.GetString() : null;
            text = deltaType switch
            {
                "text_delta" => delta.GetProperty("text").GetString(),
                "input_json_delta" => delta.GetProperty("partial_json").GetString(),
                "thinking_delta" => delta.GetProperty("thinking").GetString(),
                _ => null,
            };
            if (delta.TryGetProperty("stop_reason", out var sr) && sr.ValueKind == JsonValueKind.String)
            {
                stopReason = sr.GetString();
            }
        }

        if (root.TryGetProperty("content_block", out var block))
        {
            blockType = block.GetProperty("type").GetString();
            toolName = block.TryGetProperty("name", out var n) ? n.GetString() : null;
        }

        if (type == "error")
        {
            text = root.GetRawText();
        }

        return new Frame(sseEvent, type, index, deltaType, text, stopReason, blockType, toolName);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Checks the Anthropic event grammar and that the content is exactly what the fake backend sent.</summary>
    private sealed class StreamValidator(bool tool, bool checkText = true)
    {
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _arguments = new();
        private bool _started;
        private bool _stopped;
        private int _open = -1;
        private int _nextIndex;
        private string? _openType;
        private string? _toolName;
        private string? _stopReason;

        public void Add(SseItem<Frame> item)
        {
            var frame = item.Data;
            if (frame.Type is null or "ping")
            {
                return;
            }

            if (frame.SseEvent != frame.Type)
            {
                Fail($"event: {frame.SseEvent} carries a {frame.Type}");
            }

            if (_stopped)
            {
                Fail($"{frame.Type} after message_stop");
            }

            switch (frame.Type)
            {
                case "message_start":
                    Check(!_started, "second message_start");
                    _started = true;
                    break;
                case "content_block_start":
                    Check(_started && _open < 0 && frame.Index == _nextIndex, $"content_block_start index {frame.Index}, expected {_nextIndex} with no block open");
                    _open = frame.Index;
                    _nextIndex++;
                    _openType = frame.BlockType;
                    if (frame.BlockType == "tool_use")
                    {
                        _toolName = frame.ToolName;
                    }

                    break;
                case "content_block_delta":
                    Check(frame.Index == _open, $"delta for block {frame.Index} while {_open} is open");
                    if (frame.DeltaType == "text_delta")
                    {
                        Check(_openType == "text", "text_delta outside a text block");
                        _text.Append(frame.Text);
                    }
                    else if (frame.DeltaType == "input_json_delta")
                    {
                        Check(_openType == "tool_use", "input_json_delta outside a tool_use block");
                        _arguments.Append(frame.Text);
                    }

                    break;
                case "content_block_stop":
                    Check(frame.Index == _open, $"stop for block {frame.Index} while {_open} is open");
                    _open = -1;
                    break;
                case "message_delta":
                    Check(_open < 0, "message_delta with a block open");
                    _stopReason = frame.StopReason;
                    break;
                case "message_stop":
                    _stopped = true;
                    break;
                case "error":
                    Fail("error event: " + frame.Text);
                    break;
                default:
                    Fail("unknown event " + frame.Type);
                    break;
            }
        }

        public void Finish()
        {
            Check(_stopped, "the stream ended without message_stop");
            string expected = Streams.ExpectedText(tool);
            Check(!checkText || _text.ToString() == expected, $"text differs: got {_text.Length} chars, expected {expected.Length}");
            if (tool)
            {
                Check(_toolName == Streams.ToolName, $"tool name {_toolName}");
                Check(JsonNode.DeepEquals(JsonNode.Parse(_arguments.ToString()), JsonNode.Parse(Streams.ToolArguments)), "tool arguments differ");
                Check(_stopReason == "tool_use", $"stop_reason {_stopReason}, expected tool_use");
            }
            else
            {
                Check(_stopReason == "end_turn", $"stop_reason {_stopReason}, expected end_turn");
            }
        }

        private static void Check(bool condition, string message)
        {
            if (!condition)
            {
                Fail(message);
            }
        }

        private static void Fail(string message) => throw new InvalidDataException("invalid stream: " + message);
    }
}
