using System.Net;
using System.Text.Json.Nodes;
using AnyClaude.Host.Proxy.ContextWindows;
using AnyClaude.TestSupport.RealEngine;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A conversation past half a real llama-server's window: its first turn is counted on the server (<c>/apply-template</c>
/// + <c>/tokenize</c>), its follow-ups far from the edge are sized from that count plus an upper bound on what they
/// appended and cost the server no count (with a small <c>max_tokens</c>, and with Claude Code's 32,000, clamped to the
/// room the bound leaves: <see cref="TurnSizing"/>), a turn near the edge is counted and clamped to the exact room, and
/// the turn that would overflow is counted again and refused with the server's own figure before any prefill.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class NoRecountOnRealServerTests(ITestOutputHelper output)
{
    private const int Window = 16384;
    private const int MaxTokens = 256;

    /// <summary>What Claude Code asks for with a model it does not know.</summary>
    private const int ClaudeCodesMaxTokens = 32000;

    [Fact]
    public async Task Follow_up_turns_far_from_the_edge_are_not_counted_and_the_one_that_overflows_is_refused_with_the_servers_count()
    {
        await using var proxy = await RealEngineProxy.StartAsync(EngineKind.LlamaCpp, new LlamaServerOptions { ContextSize = Window, Parallel = 1 });
        var conversation = new ClaudeCodeConversation($"Read these notes:\n{ProjectNotes.Text(seed: 6, sentences: 700)}\nSay one word.");

        var first = await proxy.StreamAsync(Body(conversation));
        int firstPrompt = ServerFigures.Of(proxy.Tap.To("/chat/completions")[^1]).PromptTokens;
        output.WriteLine($"turn 1: server's prompt {firstPrompt}, /tokenize calls {Counts(proxy)}");
        firstPrompt.ShouldBeGreaterThan(Window / 2, "the conversation is past half the window");
        proxy.Tap.To("/tokenize").Count.ShouldBe(1, "the first turn past half the window is counted on the server");

        string answer = first.Text;
        for (int turn = 2; turn <= 4; turn++)
        {
            conversation.Append(answer.Length == 0 ? "Done." : answer, $"Follow-up {turn}: say one more word about the notes.");
            var (tokenizeBefore, templateBefore) = Counts(proxy);
            answer = (await proxy.StreamAsync(Body(conversation))).Text;
            var chat = proxy.Tap.To("/chat/completions")[^1];
            output.WriteLine($"turn {turn}: server's prompt {ServerFigures.Of(chat).PromptTokens} (cached {ServerFigures.Of(chat).CachedTokens}), /tokenize and /apply-template calls {Counts(proxy)}");
            Counts(proxy).ShouldBe((tokenizeBefore, templateBefore), $"turn {turn} is far from the edge: no count on the server");
            if (turn == 4)
            {
                // What each of these turns no longer waits for: the server rendering and tokenizing the whole prompt.
                var watch = System.Diagnostics.Stopwatch.StartNew();
                await proxy.CountTokensAsync(Body(conversation));
                output.WriteLine($"one count of turn {turn}'s prompt on the server (what the turn no longer waits for): {watch.Elapsed.TotalMilliseconds:0} ms");
            }

            JsonNode.Parse(chat.RequestBody)!["max_tokens"]!.GetValue<int>().ShouldBe(MaxTokens, "the answer's room is as asked");
        }

        conversation.Append(answer.Length == 0 ? "Done." : answer, $"Read these too:\n{ProjectNotes.Text(seed: 7, sentences: 600)}");
        string overflowing = Body(conversation);
        int answered = proxy.Tap.To("/chat/completions").Count;
        using var response = await proxy.PostAsync(overflowing);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        int counted = await proxy.CountTokensAsync(overflowing);
        output.WriteLine($"overflowing turn: {(int)response.StatusCode} {message}; count_tokens {counted}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        type.ShouldBe("invalid_request_error");
        message.ShouldBe($"prompt is too long: {counted} tokens > {Window} maximum");
        proxy.Tap.To("/chat/completions").Count.ShouldBe(answered, "refused before the prompt went to the server");
    }

    [Fact]
    public async Task With_claude_codes_32000_follow_ups_past_half_the_window_are_not_counted_a_turn_near_the_edge_is_and_one_over_it_is_refused_with_the_exact_count()
    {
        const int window = 32768;
        await using var proxy = await RealEngineProxy.StartAsync(EngineKind.LlamaCpp, new LlamaServerOptions { ContextSize = window, Parallel = 1 });
        var conversation = new ClaudeCodeConversation($"Read these notes:\n{ProjectNotes.Text(seed: 8, sentences: 1500)}\nSay one word.");

        string answer = (await proxy.StreamAsync(Body(conversation, ClaudeCodesMaxTokens))).Text;
        int firstPrompt = ServerFigures.Of(proxy.Tap.To("/chat/completions")[^1]).PromptTokens;
        output.WriteLine($"turn 1: server's prompt {firstPrompt}, /tokenize and /apply-template calls {Counts(proxy)}");
        firstPrompt.ShouldBeGreaterThan(window / 2, "the conversation is past half the window");
        Counts(proxy).ShouldBe((1, 1), "the first turn past half the window is counted on the server");

        for (int turn = 2; turn <= 4; turn++)
        {
            conversation.Append(answer.Length == 0 ? "Done." : answer, $"Follow-up {turn}: say one more word about the notes.");
            var before = Counts(proxy);
            answer = (await proxy.StreamAsync(Body(conversation, ClaudeCodesMaxTokens))).Text;
            var chat = proxy.Tap.To("/chat/completions")[^1];
            int prompt = ServerFigures.Of(chat).PromptTokens;
            int maxTokens = JsonNode.Parse(chat.RequestBody)!["max_tokens"]!.GetValue<int>();
            output.WriteLine($"turn {turn}: server's prompt {prompt}, exact room {window - prompt}, max_tokens sent {maxTokens}, calls {Counts(proxy)}");

            Counts(proxy).ShouldBe(before, $"turn {turn} is sized from the last count plus what it appended: nothing re-rendered or re-tokenized");
            maxTokens.ShouldBeLessThan(proxy.Backend.Capabilities.MaxOutputTokens, "the answer's room was clamped (what needed the exact count before)");
            maxTokens.ShouldBeLessThanOrEqualTo(window - prompt, "never more than the room the exact prompt leaves");
            maxTokens.ShouldBeGreaterThanOrEqualTo(window - prompt - TurnSizing.ClampMarginTokens, "and at most the documented margin under it");
        }

        conversation.Append(answer.Length == 0 ? "Done." : answer, $"Read these too:\n{ProjectNotes.Text(seed: 9, sentences: 700)}");
        var beforeEdge = Counts(proxy);
        string nearEdge = Body(conversation, ClaudeCodesMaxTokens);
        answer = (await proxy.StreamAsync(nearEdge)).Text;
        var edgeChat = proxy.Tap.To("/chat/completions")[^1];
        int edgePrompt = ServerFigures.Of(edgeChat).PromptTokens;
        int edgeMaxTokens = JsonNode.Parse(edgeChat.RequestBody)!["max_tokens"]!.GetValue<int>();
        int tokenized = JsonNode.Parse(proxy.Tap.To("/tokenize")[^1].RequestBody)!["content"]!.GetValue<string>().Length;
        output.WriteLine($"near the edge: server's prompt {edgePrompt}, max_tokens sent {edgeMaxTokens}, calls {Counts(proxy)}, last /tokenize {tokenized} chars");

        edgePrompt.ShouldBeGreaterThan(window - TurnSizing.EdgeRoomTokens, "the turn is near the edge");
        Counts(proxy).ShouldBe((beforeEdge.Tokenize + 1, beforeEdge.ApplyTemplate + 1), "near the edge the whole prompt is counted");
        edgeMaxTokens.ShouldBe(window - edgePrompt, "clamped to the exact room");

        conversation.Append(answer.Length == 0 ? "Done." : answer, $"And these:\n{ProjectNotes.Text(seed: 10, sentences: 600)}");
        string overflowing = Body(conversation, ClaudeCodesMaxTokens);
        int answered = proxy.Tap.To("/chat/completions").Count;
        using var response = await proxy.PostAsync(overflowing);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        int counted = await proxy.CountTokensAsync(overflowing);
        output.WriteLine($"overflowing turn: {(int)response.StatusCode} {message}; count_tokens {counted}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        type.ShouldBe("invalid_request_error");
        message.ShouldBe($"prompt is too long: {counted} tokens > {window} maximum");
        proxy.Tap.To("/chat/completions").Count.ShouldBe(answered, "refused before the prompt went to the server");
    }

    private static (int Tokenize, int ApplyTemplate) Counts(RealEngineProxy proxy) =>
        (proxy.Tap.To("/tokenize").Count, proxy.Tap.To("/apply-template").Count);

    /// <summary>The conversation's next body, asking for a small answer so that a prompt far from the edge leaves it all its room.</summary>
    private static string Body(ClaudeCodeConversation conversation, int maxTokens = MaxTokens)
    {
        var body = JsonNode.Parse(conversation.Body())!.AsObject();
        body["max_tokens"] = maxTokens;
        return body.ToJsonString();
    }
}
