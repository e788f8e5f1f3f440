using System.Text.Json;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// What llama-server itself said about one request's prompt, read from its answer as the tap kept it: the whole prompt
/// (<see cref="PromptTokens"/>) and the part it took from its cache (<see cref="CachedTokens"/>).
/// </summary>
internal sealed record ServerFigures(int PromptTokens, int CachedTokens)
{
    public double CachedShareOf(int previousPrompt) => (double)CachedTokens / previousPrompt;

    /// <summary>
    /// From a <c>/v1/chat/completions</c> stream: the last chunk's <c>usage.prompt_tokens</c> and
    /// <c>prompt_tokens_details.cached_tokens</c>, which must agree with its <c>timings</c> (<c>prompt_n</c> evaluated,
    /// <c>cache_n</c> reused).
    /// </summary>
    public static ServerFigures FromChatStream(string sse)
    {
        foreach (var (_, data) in Enumerable.Reverse(SseReader.Parse(sse)))
        {
            if (data == "[DONE]")
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(data);
            if (!chunk.RootElement.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            int prompt = usage.GetProperty("prompt_tokens").GetInt32();
            int cached = usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
            var timings = chunk.RootElement.GetProperty("timings");
            timings.GetProperty("cache_n").GetInt32().ShouldBe(cached, data);
            (timings.GetProperty("cache_n").GetInt32() + timings.GetProperty("prompt_n").GetInt32()).ShouldBe(prompt, data);
            return new ServerFigures(prompt, cached);
        }

        throw new ShouldAssertException($"the server's stream has no usage chunk:\n{sse}");
    }

    /// <summary>From llama-server's own <c>/v1/messages</c> stream: the usage of its <c>message_start</c>.</summary>
    public static ServerFigures FromMessagesStream(string sse)
    {
        var start = SseReader.Parse(sse).First(e => e.Event == "message_start");
        using var document = JsonDocument.Parse(start.Data);
        var usage = document.RootElement.GetProperty("message").GetProperty("usage");
        int input = usage.GetProperty("input_tokens").GetInt32();
        int cached = usage.GetProperty("cache_read_input_tokens").GetInt32();
        return new ServerFigures(input + cached, cached);
    }

    /// <summary>The server's figures for the tapped answer, whichever API it was.</summary>
    public static ServerFigures Of(TappedExchange exchange) =>
        exchange.Path.EndsWith("/chat/completions", StringComparison.Ordinal) ? FromChatStream(exchange.ResponseBody) : FromMessagesStream(exchange.ResponseBody);
}
