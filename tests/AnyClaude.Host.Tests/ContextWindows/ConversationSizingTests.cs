using System.Net;
using System.Text.Json.Nodes;
using AnyClaude.TestSupport;
using static AnyClaude.Host.Tests.Backends.BackendKindKit;

namespace AnyClaude.Host.Tests.ContextWindows;

/// <summary>
/// The pre-flight decision for a conversation's turns on a server that counts (llama.cpp's <c>/tokenize</c>): a follow-up
/// whose upper bound (the last count plus what it appended) leaves the whole answer room is not counted; one whose bound
/// could change the <c>max_tokens</c> clamp or the refusal is counted, and clamped to the exact room; a compacted
/// conversation is counted again.
/// </summary>
public sealed class ConversationSizingTests
{
    private const int Window = 4096;

    /// <summary>About 1,950 tokens by the quick estimate: past half the window, so the first turn is counted.</summary>
    private static readonly string Notes = string.Join(' ', Enumerable.Repeat("lorem", 1300));

    [Fact]
    public async Task A_follow_up_far_from_the_edge_is_not_counted_one_that_could_change_the_clamp_is_and_gets_the_exact_room()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { ContextLength = Window });
        var messages = new JsonArray { Turn("user", $"Read these notes: {Notes}") };
        proxy.Fake.Enqueue(ScriptedResponse.Text("Read."), ScriptedResponse.Text("Two."), ScriptedResponse.Text("Three."));

        await PostOkAsync(proxy, Conversation(messages, maxTokens: 512));
        int afterFirst = RequestsTo(proxy.Fake, "/tokenize").Count;
        afterFirst.ShouldBeGreaterThan(0, "the first turn past half the window is counted");

        messages.Add(Turn("assistant", "Read."));
        messages.Add(Turn("user", "Now say two."));
        await PostOkAsync(proxy, Conversation(messages, maxTokens: 512));
        RequestsTo(proxy.Fake, "/tokenize").Count.ShouldBe(afterFirst, "the follow-up's bound leaves its 512 tokens of answer: nothing to count");

        messages.Add(Turn("assistant", "Two."));
        messages.Add(Turn("user", "Now say three."));
        string nearEdge = Conversation(messages, maxTokens: 64000);
        int counted = await CountTokensAsync(proxy, nearEdge);
        int beforeThird = RequestsTo(proxy.Fake, "/tokenize").Count;
        await PostOkAsync(proxy, nearEdge);

        RequestsTo(proxy.Fake, "/tokenize").Count.ShouldBeGreaterThan(beforeThird, "64,000 tokens of answer: the clamp depends on the exact count");
        using var third = proxy.Fake.ChatRequests[^1].Json();
        third.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(Window - counted, "clamped to the exact room, not the bound's");
    }

    [Fact]
    public async Task A_compacted_conversation_is_counted_again_and_refused_with_the_exact_figure_when_it_does_not_fit()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { ContextLength = Window });
        proxy.Fake.Enqueue(ScriptedResponse.Text("Read."));
        var messages = new JsonArray { Turn("user", $"Read these notes: {Notes}"), Turn("assistant", "Read."), Turn("user", "Go on.") };
        await PostOkAsync(proxy, Conversation(messages, maxTokens: 512));
        int afterFirst = RequestsTo(proxy.Fake, "/tokenize").Count;

        // Fewer messages, a different first one, and larger than the window: not the last prompt plus more.
        string compacted = Conversation(new JsonArray { Turn("user", $"Summary: {Notes} {Notes} {Notes} {Notes}") }, maxTokens: 512);
        int counted = await CountTokensAsync(proxy, compacted);
        using var response = await proxy.PostMessagesAsync(compacted);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (_, message) = await ErrorBodies.ReadAsync(response);
        message.ShouldBe($"prompt is too long: {counted} tokens > {Window} maximum");
        RequestsTo(proxy.Fake, "/tokenize").Count.ShouldBeGreaterThan(afterFirst + 1, "counted for count_tokens and again for the turn");
    }

    private static JsonObject Turn(string role, string text) =>
        new() { ["role"] = role, ["content"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = text } } };

    private static string Conversation(JsonArray messages, int maxTokens) => new JsonObject
    {
        ["model"] = "claude-sonnet-4-5",
        ["max_tokens"] = maxTokens,
        ["stream"] = false,
        ["metadata"] = new JsonObject { ["user_id"] = """{"session_id":"sess-sizing"}""" },
        ["system"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = "You are a helpful assistant." } },
        ["messages"] = messages.DeepClone(),
    }.ToJsonString();
}
