using System.Net;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Tests.Backends;

/// <summary>What the per-kind suites send through the real proxy to a fake of their server, and read back.</summary>
internal static class BackendKindKit
{
    public const string WeatherTool = """
        {"name": "get_weather", "description": "Get the weather for a city",
         "input_schema": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city"]}}
        """;

    /// <summary>A Messages body with a system prompt, one user turn, optional tools and thinking.</summary>
    public static string Body(bool stream, string text = "What is the weather in Paris?", bool tools = false, bool thinking = false, int maxTokens = 2048) =>
        $$"""
        {"model": "claude-sonnet-4-5", "max_tokens": {{maxTokens}}, "stream": {{(stream ? "true" : "false")}},
         "system": [{"type": "text", "text": "You are a helpful assistant."}],
         {{(tools ? $"\"tools\": [{WeatherTool}]," : "")}}
         {{(thinking ? "\"thinking\": {\"type\": \"enabled\", \"budget_tokens\": 4096}," : "")}}
         "messages": [{"role": "user", "content": "{{text}}"}]}
        """;

    /// <summary>Posts the body and checks the answer is a 200.</summary>
    public static async Task<string> PostOkAsync(ProxyHarness proxy, string body, string path = "/v1/messages")
    {
        using var response = await proxy.PostMessagesAsync(body, path);
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return text;
    }

    /// <summary>The content blocks and the final usage of a streamed answer, folded from its events.</summary>
    public static (List<JsonElement> Blocks, JsonElement Usage, string StopReason) Fold(string sse)
    {
        var blocks = new List<JsonElement>();
        var text = new Dictionary<int, string>();
        JsonElement usage = default;
        string stopReason = "";
        foreach (var (name, data) in SseReader.Parse(sse))
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            switch (name)
            {
                case "content_block_start":
                    blocks.Add(root.GetProperty("content_block").Clone());
                    text[root.GetProperty("index").GetInt32()] = "";
                    break;
                case "content_block_delta":
                    var delta = root.GetProperty("delta");
                    int index = root.GetProperty("index").GetInt32();
                    foreach (var field in (ReadOnlySpan<string>)["text", "thinking", "partial_json"])
                    {
                        if (delta.TryGetProperty(field, out var piece))
                        {
                            text[index] += piece.GetString();
                        }
                    }

                    break;
                case "message_delta":
                    usage = root.GetProperty("usage").Clone();
                    stopReason = root.GetProperty("delta").GetProperty("stop_reason").GetString()!;
                    break;
                case "error":
                    throw new InvalidOperationException($"the stream ended in an error: {data}");
            }
        }

        // Each block with the text its deltas added, as a small JSON object: {"type", "text"}.
        var folded = blocks.Select((block, i) => JsonSerializer.SerializeToElement(new
        {
            type = block.GetProperty("type").GetString(),
            name = block.TryGetProperty("name", out var n) ? n.GetString() : null,
            text = text[i],
        })).ToList();
        return (folded, usage, stopReason);
    }

    /// <summary>Asks <c>/health/ready</c> (which has the backend ask its server what it is), then returns the selected backend's capabilities.</summary>
    public static async Task<BackendCapabilities> DiscoverAsync(ProxyHarness proxy)
    {
        using var ready = await proxy.Http.GetAsync("/health/ready");
        string body = await ready.Content.ReadAsStringAsync();
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return proxy.App.Services.GetRequiredService<BackendRegistry>().Selected.Capabilities;
    }

    /// <summary><c>POST /v1/messages/count_tokens</c> through the proxy.</summary>
    public static async Task<int> CountTokensAsync(ProxyHarness proxy, string body)
    {
        string answer = await PostOkAsync(proxy, body, "/v1/messages/count_tokens");
        using var document = JsonDocument.Parse(answer);
        return document.RootElement.GetProperty("input_tokens").GetInt32();
    }

    /// <summary>The proxy's own estimate for a rendered body of that size, which a server-made count must differ from.</summary>
    public static int Estimate(RecordedRequest chat) => (chat.Body.Length + 3) / 4;

    /// <summary>The recorded requests to one path of the fake.</summary>
    public static List<RecordedRequest> RequestsTo(FakeOpenAIServer fake, string path) =>
        fake.Requests.Where(r => r.Path == path).ToList();
}
