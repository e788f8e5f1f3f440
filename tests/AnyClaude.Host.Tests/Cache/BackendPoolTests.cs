using System.Net;
using System.Text.Json;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>A backend with <c>urls</c>: two single-slot replicas, conversations kept where their prefix is, failover before the first event.</summary>
public sealed class BackendPoolTests
{
    private static Task<MultiBackendProxy> StartPoolAsync() =>
        MultiBackendProxy.StartAsync("pool", ["a", "b"], configure: options => options with
        {
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["pool"] = new() { Name = "pool", Kind = "openai", Url = options.Backends["a"].Url, Urls = [options.Backends["a"].Url, options.Backends["b"].Url] },
            },
        });

    [Fact]
    public async Task Two_interleaved_conversations_each_keep_a_destination_and_find_their_prefix_cached()
    {
        await using var proxy = await StartPoolAsync();
        var caches = new[] { SlotPrefixCache.On(proxy["a"], "from a"), SlotPrefixCache.On(proxy["b"], "from b") };
        var answered = new Dictionary<string, List<(string Text, int Input, int Cached)>> { ["one"] = [], ["two"] = [] };

        for (int turn = 1; turn <= 4; turn++)
        {
            foreach (string session in answered.Keys)
            {
                answered[session].Add(await PostAsync(proxy, ConversationTurns.Turn(turn, session, topic: session)));
            }
        }

        answered["one"].Select(a => a.Text).Distinct().Count().ShouldBe(1);
        answered["two"].Select(a => a.Text).Distinct().Count().ShouldBe(1);
        answered["one"][0].Text.ShouldNotBe(answered["two"][0].Text);
        foreach (var cache in caches)
        {
            cache.Seen.Count.ShouldBe(4);
            for (int i = 1; i < cache.Seen.Count; i++)
            {
                cache.Seen[i].CachedTokens.ShouldBeGreaterThanOrEqualTo((int)(0.98 * cache.Seen[i - 1].PromptTokens), $"turn {i + 1}");
            }
        }

        // The client's usage is the destination's, exactly.
        answered["one"][^1].Cached.ShouldBe(Seen(caches, answered["one"][^1].Text)[^1].CachedTokens);
    }

    [Fact]
    public async Task When_a_destination_dies_mid_session_the_next_request_succeeds_on_the_other()
    {
        await using var proxy = await StartPoolAsync();
        SlotPrefixCache.On(proxy["a"], "from a");
        SlotPrefixCache.On(proxy["b"], "from b");
        var first = await PostAsync(proxy, ConversationTurns.Turn(1, "one"));
        var other = await PostAsync(proxy, ConversationTurns.Turn(1, "two", topic: "the lexer"));
        other.Text.ShouldNotBe(first.Text);

        await proxy[first.Text[^1..]].DisposeAsync();
        var second = await PostAsync(proxy, ConversationTurns.Turn(2, "one"));
        var third = await PostAsync(proxy, ConversationTurns.Turn(3, "one"));

        second.Text.ShouldBe(other.Text);
        third.Text.ShouldBe(other.Text);
        third.Cached.ShouldBeGreaterThan(0);
    }

    private static List<(int Slot, int PromptTokens, int CachedTokens, string Body)> Seen(SlotPrefixCache[] caches, string text) =>
        text == "from a" ? caches[0].Seen : caches[1].Seen;

    private static async Task<(string Text, int Input, int Cached)> PostAsync(MultiBackendProxy proxy, System.Text.Json.Nodes.JsonObject body)
    {
        using var response = await proxy.PostAsync(body);
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        MultiBackendProxy.BackendOf(response).ShouldBe("pool");
        int input = 0, cached = 0;
        foreach (var (name, data) in SseReader.Parse(text))
        {
            if (name == "message_delta")
            {
                using var json = JsonDocument.Parse(data);
                input = json.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt32();
                cached = json.RootElement.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32();
            }

            text.ShouldNotContain("event: error");
        }

        return (MultiBackendProxy.TextOf(text), input, cached);
    }
}
