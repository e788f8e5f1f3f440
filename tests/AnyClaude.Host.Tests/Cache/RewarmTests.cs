using System.Net;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Cache;

/// <summary><c>rewarm: true</c> on a single-slot server: the conversation's prefix is restored after the classifier; the same conversation's next turn waits for it, any other request cancels it.</summary>
public sealed class RewarmTests
{
    [Fact]
    public async Task After_the_classifier_the_last_turn_is_resent_and_the_next_turn_finds_its_prefix_cached()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"], configure: o => o with { Rewarm = true });
        var cache = SlotPrefixCache.On(proxy["main"]);

        await PostOkAsync(proxy, ConversationTurns.Turn(1));
        await PostOkAsync(proxy, ConversationTurns.Turn(2));
        await PostOkAsync(proxy, RequestBodies.Classifier());
        await proxy["main"].WaitUntilAsync(_ => cache.Seen.Count == 4, TimeSpan.FromSeconds(10), "the rewarm request");
        await proxy["main"].WaitUntilAsync(f => f.CompletedStreams == 4, TimeSpan.FromSeconds(10), "the rewarm's end");
        await PostOkAsync(proxy, ConversationTurns.Turn(3));

        var seen = cache.Seen;
        seen.Count.ShouldBe(5);
        seen[3].Body.ShouldContain("\"max_tokens\":1,");
        seen[3].CachedTokens.ShouldBe(0); // the classifier had evicted turn 2
        seen[4].CachedTokens.ShouldBeGreaterThanOrEqualTo((int)(0.98 * seen[1].PromptTokens));
    }

    [Fact]
    public async Task The_same_conversations_turn_joins_the_rewarm_and_finds_its_prefix_cached_another_conversations_request_cancels_it()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"], configure: o => o with { Rewarm = true });
        // The rewarm (max_tokens 1) prefills for 1.5 s: the next turn arrives while it runs.
        var cache = SlotPrefixCache.On(proxy["main"], shape: (request, response) =>
            request.BodyText.Contains("\"max_tokens\":1,", StringComparison.Ordinal) ? response.WithPrefillDelay(TimeSpan.FromMilliseconds(1500)) : response);

        await PostOkAsync(proxy, ConversationTurns.Turn(1));
        await PostOkAsync(proxy, ConversationTurns.Turn(2));
        await PostOkAsync(proxy, RequestBodies.Classifier());
        await proxy["main"].WaitUntilAsync(_ => cache.Seen.Count == 4, TimeSpan.FromSeconds(10), "the rewarm request");
        await PostOkAsync(proxy, ConversationTurns.Turn(3));

        var seen = cache.Seen;
        seen.Count.ShouldBe(5);
        seen[3].Body.ShouldContain("\"max_tokens\":1,");
        proxy["main"].AbortedStreams.ShouldBe(0); // the turn waited for the rewarm instead of cancelling it
        proxy["main"].CompletedStreams.ShouldBe(5); // the rewarm's stream ended before the turn went out
        seen[4].CachedTokens.ShouldBeGreaterThanOrEqualTo((int)(0.98 * seen[1].PromptTokens));

        // Another conversation's turn does not wait: the rewarm in flight is cancelled.
        await PostOkAsync(proxy, RequestBodies.Classifier());
        await proxy["main"].WaitUntilAsync(_ => cache.Seen.Count == 7, TimeSpan.FromSeconds(10), "the second rewarm request");
        var started = System.Diagnostics.Stopwatch.StartNew();
        await PostOkAsync(proxy, ConversationTurns.Turn(1, session: "0the-r000", topic: "the lexer"));
        await proxy["main"].WaitForAbortedStreamsAsync(1, TimeSpan.FromSeconds(10));
        started.Elapsed.ShouldBeLessThan(TimeSpan.FromMilliseconds(1400));
    }

    [Fact]
    public async Task A_request_of_another_conversation_cancels_a_rewarm_in_progress_and_without_the_setting_nothing_is_resent()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"], configure: o => o with { Rewarm = true });
        // The rewarm (max_tokens 1) prefills slowly: the next request arrives long before it ends.
        SlotPrefixCache.On(proxy["main"], shape: (request, response) =>
            request.BodyText.Contains("\"max_tokens\":1,", StringComparison.Ordinal) ? response.WithPrefillDelay(TimeSpan.FromSeconds(20)) : response);

        await PostOkAsync(proxy, ConversationTurns.Turn(1));
        await PostOkAsync(proxy, RequestBodies.Classifier());
        await proxy["main"].WaitUntilAsync(f => f.ChatRequests.Count == 3, TimeSpan.FromSeconds(10), "the rewarm request");
        await PostOkAsync(proxy, ConversationTurns.Turn(2, session: "0the-r000", topic: "the lexer"));
        await proxy["main"].WaitForAbortedStreamsAsync(1, TimeSpan.FromSeconds(10));

        await using var off = await MultiBackendProxy.StartAsync("main", ["main"]);
        await PostOkAsync(off, ConversationTurns.Turn(1));
        await PostOkAsync(off, RequestBodies.Classifier());
        await Task.Delay(300);
        off["main"].ChatRequests.Count.ShouldBe(2);
    }

    private static async Task PostOkAsync(MultiBackendProxy proxy, System.Text.Json.Nodes.JsonObject body)
    {
        using var response = await proxy.PostAsync(body);
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
    }
}
