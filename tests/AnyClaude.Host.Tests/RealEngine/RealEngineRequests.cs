using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>Bodies and answers for tests over the real llama-server: prompts of a chosen length, each conversation marked.</summary>
internal static class RealEngineRequests
{
    private static readonly string[] Words =
    [
        "river", "stone", "window", "garden", "letter", "music", "market", "engine", "silver", "forest", "candle", "bridge",
        "harbor", "pencil", "thunder", "meadow", "lantern", "castle", "orange", "planet", "winter", "summer", "valley", "copper",
        "basket", "mirror", "island", "feather", "button", "ladder", "shadow", "kettle", "violin", "pillow", "rocket", "saddle",
    ];

    /// <summary>A Messages body whose system prompt names <paramref name="marker"/> and whose user message is about <paramref name="words"/> words.</summary>
    public static JsonObject Body(string marker, int words, bool stream = false, int maxTokens = 8) => new()
    {
        ["model"] = "claude-sonnet-4-5",
        ["max_tokens"] = maxTokens,
        ["stream"] = stream,
        ["system"] = $"You are helping with {marker}.",
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Text(marker, words) }),
    };

    /// <summary>The conversation's next turn: the answer it got, then one more user message.</summary>
    public static JsonObject FollowUp(JsonObject body, string answer, string next)
    {
        var copy = body.DeepClone().AsObject();
        copy["stream"] = false;
        var messages = copy["messages"]!.AsArray();
        // The tiny model may end an answer at once; the turn's prompt is the next one's prefix either way.
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer.Length > 0 ? answer : "(no answer)" });
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = next });
        return copy;
    }

    /// <summary>Posts to the proxy and reads the whole answer (streamed or not) as its text and usage.</summary>
    public static async Task<Answer> PostAsync(HttpClient proxy, JsonObject body, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await proxy.PostAsync("/v1/messages", content, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        long at = Stopwatch.GetTimestamp();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        if (body["stream"]?.GetValue<bool>() != true)
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            string answer = string.Concat(root.GetProperty("content").EnumerateArray()
                .Where(b => b.GetProperty("type").GetString() == "text").Select(b => b.GetProperty("text").GetString()));
            return new Answer(answer, Usage(root.GetProperty("usage")), at);
        }

        var builder = new StringBuilder();
        (int Input, int Cached) usage = default;
        foreach (var (name, data) in SseReader.Parse(text))
        {
            name.ShouldNotBe("error", data);
            using var json = JsonDocument.Parse(data);
            if (name == "content_block_delta" && json.RootElement.GetProperty("delta").TryGetProperty("text", out var delta))
            {
                builder.Append(delta.GetString());
            }
            else if (name == "message_delta")
            {
                usage = Usage(json.RootElement.GetProperty("usage"));
            }
        }

        return new Answer(builder.ToString(), usage, at);
    }

    /// <summary>
    /// Posts a streamed request and reads its answer; at its first token (or its end, when the model ends at once), runs
    /// <paramref name="atFirstToken"/> (e.g. a look at the server's slots) and notes how long that took.
    /// </summary>
    public static async Task<(Answer Answer, double FirstTokenSeconds, T AtFirstToken)> StreamAsync<T>(HttpClient proxy, JsonObject body, Func<Task<T>> atFirstToken)
    {
        body["stream"] = true;
        long sent = Stopwatch.GetTimestamp();
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = content };
        using var response = await proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var text = new StringBuilder();
        (int Input, int Cached) usage = default;
        double firstToken = 0;
        T seen = default!;
        bool first = true;
        await foreach (var (name, data) in SseReader.ReadAsync(stream))
        {
            name.ShouldNotBe("error", data);
            using var json = JsonDocument.Parse(data);
            if (first && name is "content_block_delta" or "message_delta")
            {
                // The first token, or the end of an answer the model ended at once: the prompt is prefilled either way.
                first = false;
                firstToken = Stopwatch.GetElapsedTime(sent).TotalSeconds;
                seen = await atFirstToken();
            }

            if (name == "content_block_delta" && json.RootElement.GetProperty("delta").TryGetProperty("text", out var delta))
            {
                text.Append(delta.GetString());
            }
            else if (name == "message_delta")
            {
                usage = Usage(json.RootElement.GetProperty("usage"));
            }
        }

        first.ShouldBeFalse("the stream ended without an answer");
        return (new Answer(text.ToString(), usage, Stopwatch.GetTimestamp()), firstToken, seen);
    }

    /// <summary>
    /// The server's slots now (<c>/slots</c>): id, whether it is processing, the <c>max_tokens</c> of the request it runs
    /// or last ran (its prompt text is shown only in the server's debug mode, so tests tell requests apart by this), and
    /// the tokens that request has generated.
    /// </summary>
    public static async Task<IReadOnlyList<SlotView>> SlotsAsync(RealLlamaServer server)
    {
        using var slots = await server.SlotsAsync();
        return [.. slots.RootElement.EnumerateArray().Select(slot => new SlotView(
            slot.GetProperty("id").GetInt32(),
            slot.GetProperty("is_processing").GetBoolean(),
            slot.TryGetProperty("params", out var parameters) && parameters.TryGetProperty("n_predict", out var predict) ? predict.GetInt32() : null,
            slot.TryGetProperty("next_token", out var next) ? next[0].GetProperty("n_decoded").GetInt32() : 0))];
    }

    /// <summary>Waits (polling <paramref name="condition"/>) until it holds; fails after <paramref name="seconds"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {seconds} s: {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>About <paramref name="words"/> words of text, the same for the same <paramref name="marker"/>.</summary>
    public static string Text(string marker, int words)
    {
        var random = new Random(marker.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)));
        var text = new StringBuilder($"Notes for {marker}:", words * 8);
        for (int i = 0; i < words; i++)
        {
            text.Append(' ').Append(Words[random.Next(Words.Length)]);
            if (i % 12 == 11)
            {
                text.Append('.');
            }
        }

        return text.Append(" Summarize.").ToString();
    }

    private static (int Input, int Cached) Usage(JsonElement usage) =>
        (usage.GetProperty("input_tokens").GetInt32(), usage.TryGetProperty("cache_read_input_tokens", out var cached) ? cached.GetInt32() : 0);

    /// <summary>An answer's text, its usage (uncached input, cached) and when it was complete (a <see cref="Stopwatch"/> timestamp).</summary>
    public sealed record Answer(string Text, (int Input, int Cached) Usage, long CompletedAt)
    {
        public int PromptTokens => Usage.Input + Usage.Cached;
    }

    /// <summary>A slot: <see cref="Decoded"/> is the tokens its request has generated (0 while it prefills).</summary>
    public sealed record SlotView(int Id, bool Processing, int? MaxTokens, int Decoded)
    {
        public bool Prefilling => Processing && Decoded == 0;
    }
}
