using System.Net;
using System.Text.Json;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>llama-server with two slots: the conversation and Claude Code's safety classifier never share one.</summary>
public sealed class LlamaCppSlotTests
{
    [Fact]
    public async Task The_classifier_gets_its_own_slot_and_the_next_turn_finds_its_prefix_cached()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { Slots = 2 });
        var cache = SlotPrefixCache.On(proxy.Fake);

        await PostAsync(proxy, ConversationTurns.Turn(1).ToJsonString());
        await PostAsync(proxy, ConversationTurns.Turn(2).ToJsonString());
        await PostAsync(proxy, RequestBodies.Classifier().ToJsonString());
        var turn3 = await PostAsync(proxy, ConversationTurns.Turn(3).ToJsonString());

        cache.Seen.Select(s => s.Slot).ShouldBe([1, 1, 0, 1]);
        int previousPrompt = cache.Seen[1].PromptTokens;
        turn3.Cached.ShouldBeGreaterThanOrEqualTo((int)(0.98 * previousPrompt));
        turn3.Input.ShouldBe(cache.Seen[3].PromptTokens - cache.Seen[3].CachedTokens);
    }

    [Fact]
    public async Task Conversations_keep_their_own_slot_and_a_single_slot_server_is_not_pinned()
    {
        await using var three = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { Slots = 3 });
        var cache = SlotPrefixCache.On(three.Fake);
        await PostAsync(three, ConversationTurns.Turn(1, session: "a").ToJsonString());
        var b = await PostAsync(three, ConversationTurns.Turn(1, session: "b", topic: "the lexer").ToJsonString());
        await PostAsync(three, RequestBodies.Classifier().ToJsonString());
        await PostAsync(three, ConversationTurns.Turn(2, session: "a").ToJsonString());
        await PostAsync(three, ConversationTurns.Turn(2, session: "b", topic: "the lexer").ToJsonString());
        await PostAsync(three, ConversationTurns.Turn(3, session: "a").ToJsonString());

        // b has a's system prompt and tools: it starts where they are cached; a, whose slot b then holds, moves once to a
        // slot no one holds, and from then on each keeps its own.
        cache.Seen.Select(s => s.Slot).ShouldBe([2, 2, 1, 0, 2, 0]);
        b.Cached.ShouldBeGreaterThan(0);

        await using var one = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp);
        one.Fake.Enqueue(ScriptedResponse.Text("ok"));
        await PostAsync(one, RequestBodies.Classifier().ToJsonString());
        using var upstream = one.Fake.LastChatRequest.Json();
        upstream.RootElement.TryGetProperty("id_slot", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task The_idSlot_setting_wins_over_the_plan()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LlamaCpp,
            fakeOptions: new FakeServerOptions { Slots = 2 },
            configureBackend: b => b with { Extra = new Dictionary<string, string?> { ["idSlot"] = "1" } });
        var cache = SlotPrefixCache.On(proxy.Fake);

        await PostAsync(proxy, ConversationTurns.Turn(1).ToJsonString());
        await PostAsync(proxy, RequestBodies.Classifier().ToJsonString());

        cache.Seen.Select(s => s.Slot).ShouldBe([1, 1]);
    }

    /// <summary>The request's usage as the client got it.</summary>
    private static async Task<(int Input, int Cached)> PostAsync(ProxyHarness proxy, string body)
    {
        using var response = await proxy.PostMessagesAsync(body);
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        foreach (var (name, data) in SseReader.Parse(text))
        {
            if (name == "message_delta")
            {
                using var json = JsonDocument.Parse(data);
                var usage = json.RootElement.GetProperty("usage");
                return (usage.GetProperty("input_tokens").GetInt32(), usage.GetProperty("cache_read_input_tokens").GetInt32());
            }
        }

        throw new InvalidOperationException("no message_delta in " + text);
    }
}
