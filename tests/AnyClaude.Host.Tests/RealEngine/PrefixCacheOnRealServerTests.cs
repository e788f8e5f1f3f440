using AnyClaude.TestSupport.RealEngine;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A Claude Code-shaped conversation through a real anyclaude to a real llama-server, for each kind that can talk to
/// it: every follow-up finds the previous turn's prompt in the server's prefix cache, by the server's own figures
/// (the upstream answer's <c>cached_tokens</c> and <c>timings.cache_n</c>, or its <c>/v1/messages</c> usage), and the
/// proxy reports exactly those figures to Claude Code.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class PrefixCacheOnRealServerTests(ITestOutputHelper output)
{
    private const int Turns = 4;

    [Theory]
    [InlineData(EngineKind.LlamaCpp)]
    [InlineData(EngineKind.OpenAI)]
    [InlineData(EngineKind.Anthropic)]
    public async Task Every_follow_up_of_a_conversation_is_served_from_the_servers_prefix_cache(EngineKind kind)
    {
        await using var proxy = await RealEngineProxy.StartAsync(kind);
        var conversation = ProjectNotes.Conversation();
        int previousPrompt = 0;
        for (int turn = 1; turn <= Turns; turn++)
        {
            var answer = await proxy.StreamAsync(conversation.Body());
            var upstream = proxy.Tap.To(RealEngineProxy.AnswerPath(kind));
            upstream.Count.ShouldBe(turn, "one upstream answer per turn");
            var server = ServerFigures.Of(upstream[^1]);
            output.WriteLine($"{kind} turn {turn}: server prompt {server.PromptTokens}, cached {server.CachedTokens}"
                + (previousPrompt > 0 ? $" ({100.0 * server.CachedShareOf(previousPrompt):0.0}% of turn {turn - 1}'s prompt {previousPrompt})" : ""));

            // What Claude Code is told is what the server said.
            answer.CachedTokens.ShouldBe(server.CachedTokens, $"turn {turn}: proxy's cache_read_input_tokens");
            answer.PromptTokens.ShouldBe(server.PromptTokens, $"turn {turn}: proxy's input_tokens + cache_read_input_tokens");
            if (turn > 1)
            {
                server.CachedShareOf(previousPrompt).ShouldBeGreaterThanOrEqualTo(0.9, $"turn {turn}: the server's cached tokens against turn {turn - 1}'s prompt of {previousPrompt}\n{proxy.Server.Output}");
            }

            previousPrompt = server.PromptTokens;
            conversation.Append(answer.Text.Length > 0 ? answer.Text : "(no answer)", $"Next, turn {turn + 1}: {ProjectNotes.Text(100 + turn, 12)}");
        }
    }
}
