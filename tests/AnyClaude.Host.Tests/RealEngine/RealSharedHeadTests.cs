using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;
using Xunit.Abstractions;
using static AnyClaude.Host.Tests.RealEngine.RealEngineRequests;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// Two conversations with the same system prompt and tools (two Claude Code sessions, or a new one after an old one) on a
/// real llama-server with two slots: the second starts on the slot that holds the first, so the shared head is not
/// prefilled again on the empty slot.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class RealSharedHeadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_new_conversation_with_the_same_system_prompt_and_tools_finds_them_cached()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 2 });
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, backendDown: true, configureBackend: b => b with { Url = server.V1 });
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };
        string system = Text("the shared system prompt", words: 2_000);

        var first = await PostAsync(http, Conversation(system, "session-one", "Which word comes first?"));
        var second = await PostAsync(http, Conversation(system, "session-two", "Which word comes last?"));

        output.WriteLine($"first: {first.PromptTokens} prompt tokens; second: {second.Usage.Cached} of {second.PromptTokens} cached");
        // All the first's prompt but its short user message (and the template's end) is the head they share.
        second.Usage.Cached.ShouldBeGreaterThanOrEqualTo(first.PromptTokens - 20);
    }

    private static JsonObject Conversation(string system, string session, string question) => new()
    {
        ["model"] = "claude-sonnet-4-5",
        ["max_tokens"] = 4,
        ["system"] = system,
        ["tools"] = new JsonArray(new JsonObject
        {
            ["name"] = "lookup",
            ["description"] = "Looks a word up in the notes.",
            ["input_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["word"] = new JsonObject { ["type"] = "string" } } },
        }),
        ["metadata"] = new JsonObject { ["user_id"] = JsonSerializer.Serialize(new { session_id = session }) },
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
    };
}
