using System.Net;
using System.Text.Json.Nodes;
using AnyClaude.TestSupport.RealEngine;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A conversation past half a real llama-server's window: its first turn is counted on the server (<c>/apply-template</c>
/// + <c>/tokenize</c>), its follow-ups far from the edge are sized from that count plus an upper bound on what they
/// appended and cost the server no count, and the turn that would overflow is counted again and refused with the
/// server's own figure before any prefill.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class NoRecountOnRealServerTests(ITestOutputHelper output)
{
    private const int Window = 16384;
    private const int MaxTokens = 256;

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

    private static (int Tokenize, int ApplyTemplate) Counts(RealEngineProxy proxy) =>
        (proxy.Tap.To("/tokenize").Count, proxy.Tap.To("/apply-template").Count);

    /// <summary>The conversation's next body, asking for a small answer so that a prompt far from the edge leaves it all its room.</summary>
    private static string Body(ClaudeCodeConversation conversation)
    {
        var body = JsonNode.Parse(conversation.Body())!.AsObject();
        body["max_tokens"] = MaxTokens;
        return body.ToJsonString();
    }
}
