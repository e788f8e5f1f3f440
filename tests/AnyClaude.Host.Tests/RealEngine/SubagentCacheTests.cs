using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A subagent between two turns of the main conversation, on a real one-slot llama-server behind the proxy (protocol.md
/// 1b: "on a one-slot server the main conversation's next turn found 0% of its prefix cached"). The figures asserted are
/// the server's own: its <c>prompt_tokens_details.cached_tokens</c> (<c>timings.cache_n</c>), passed through unchanged
/// as <c>cache_read_input_tokens</c>.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed partial class SubagentCacheTests(ITestOutputHelper output)
{
    private const string Session = "{\"device_id\":\"d1\",\"account_uuid\":\"\",\"session_id\":\"5e55-5ab0\"}";

    [Fact]
    public async Task The_main_conversations_prefix_is_warm_again_after_subagent_turns_on_a_one_slot_server()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        var figures = await RunAsync(server);

        // The subagent keeps its own cache: its second turn reuses its first turn's prompt.
        figures.SubagentTurn2.Cached.ShouldBeGreaterThanOrEqualTo((int)(0.9 * figures.SubagentTurn1.Prompt), $"{figures}\n{server.Output}");
        // And the main conversation's next turn finds its prefix again: llama-server kept the main prompt in its host
        // memory cache (--cache-ram, on by default) while the subagent used the one slot, and restored it.
        figures.MainTurn2.Cached.ShouldBeGreaterThanOrEqualTo((int)(0.9 * figures.MainTurn1.Prompt), $"{figures}\n{server.Output}");
    }

    [Fact]
    public async Task Without_the_servers_host_memory_cache_the_subagent_costs_the_main_conversation_its_prefix()
    {
        // What 2.1.337 was seen to cause (protocol.md 1b), reproduced: with --cache-ram 0 the one slot holds only the
        // last prompt, so the main turn after the subagent's starts from (almost) nothing.
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1, ExtraArguments = ["--cache-ram", "0"] });
        var figures = await RunAsync(server);

        figures.SubagentTurn2.Cached.ShouldBeGreaterThanOrEqualTo((int)(0.9 * figures.SubagentTurn1.Prompt), $"{figures}\n{server.Output}");
        figures.MainTurn2.Cached.ShouldBeLessThan((int)(0.1 * figures.MainTurn1.Prompt), $"{figures}\n{server.Output}");
    }

    [Fact]
    public async Task On_three_slots_the_subagent_gets_a_slot_of_its_own_and_the_main_prefix_stays_in_its_own()
    {
        // No host-memory cache: only the slots keep prompts. llama-cpp pins each conversation key to a slot, and a
        // subagent's key (its agent id) is never the main conversation's.
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 3, ExtraArguments = ["--cache-ram", "0"] });
        var logs = new CapturedLogs();
        var figures = await RunAsync(server, logs);

        var slots = logs.Entries.Select(e => SlotOf().Match(e.Message)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        slots.Count.ShouldBe(4, string.Join('\n', logs.Entries.Select(e => e.Message)));
        slots[1].ShouldNotBe(slots[0]);
        slots[2].ShouldBe(slots[1]);
        slots[3].ShouldBe(slots[0]);
        figures.SubagentTurn2.Cached.ShouldBeGreaterThanOrEqualTo((int)(0.9 * figures.SubagentTurn1.Prompt), $"{figures}\n{server.Output}");
        figures.MainTurn2.Cached.ShouldBeGreaterThanOrEqualTo((int)(0.9 * figures.MainTurn1.Prompt), $"{figures}\n{server.Output}");
    }

    [GeneratedRegex(@" ttft=.* cache=slot (\d+) ")]
    private static partial Regex SlotOf();

    private async Task<Figures> RunAsync(RealLlamaServer server, CapturedLogs? logs = null)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, backendDown: true, configureBackend: b => b with { Url = server.V1 }, logging: logs is null ? null : logs.Configure);
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };

        var main = Conversation("You are the main assistant of a coding session.", Lines("main", 180), "Summarise the parser notes.");
        var mainTurn1 = await SendAsync(http, main, []);

        (string, string)[] subagentHeaders = [("x-claude-code-request-class", "subagent"), ("x-claude-code-agent-type", "Explore"), ("x-claude-code-agent-id", "a5b0c1")];
        var subagent = Conversation("You are a subagent that explores the repository.", Lines("explore", 110), "List the files that mention the lexer.");
        var subagentTurn1 = await SendAsync(http, subagent, subagentHeaders);
        Continue(subagent, subagentTurn1.Text, "Now read the lexer's tests.");
        var subagentTurn2 = await SendAsync(http, subagent, subagentHeaders);

        Continue(main, mainTurn1.Text, "Explore reported the lexer tests. What next?");
        var mainTurn2 = await SendAsync(http, main, []);

        var figures = new Figures(mainTurn1, subagentTurn1, subagentTurn2, mainTurn2);
        output.WriteLine(figures.ToString());
        return figures;
    }

    private static JsonObject Conversation(string system, string context, string prompt) => new()
    {
        ["model"] = "claude-opus-5-5",
        ["system"] = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = system } },
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = $"{context}\n\n{prompt}" } },
        ["metadata"] = new JsonObject { ["user_id"] = Session },
        ["max_tokens"] = 8,
        ["stream"] = false,
    };

    private static void Continue(JsonObject conversation, string answer, string next)
    {
        var messages = conversation["messages"]!.AsArray();
        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer.Length == 0 ? "Done." : answer });
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = next });
    }

    private static string Lines(string topic, int count)
    {
        var text = new StringBuilder();
        for (int i = 1; i <= count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Note {i} on {topic}: the parser reads token {i * 7} and checks whether rule {i % 13} applies.\n");
        }

        return text.ToString();
    }

    private static async Task<Turn> SendAsync(HttpClient http, JsonObject body, (string Name, string Value)[] headers)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        foreach (var (name, value) in headers)
        {
            message.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(message);
        string text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        using var json = JsonDocument.Parse(text);
        var usage = json.RootElement.GetProperty("usage");
        int cached = usage.TryGetProperty("cache_read_input_tokens", out var c) ? c.GetInt32() : 0;
        int prompt = usage.GetProperty("input_tokens").GetInt32() + cached;
        string answer = string.Concat(json.RootElement.GetProperty("content").EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == "text")
            .Select(b => b.GetProperty("text").GetString()));
        return new Turn(prompt, cached, answer);
    }

    private sealed record Turn(int Prompt, int Cached, string Text)
    {
        public override string ToString() => $"{Cached}/{Prompt} cached ({(Prompt == 0 ? 0 : 100.0 * Cached / Prompt):0}%)";
    }

    private sealed record Figures(Turn MainTurn1, Turn SubagentTurn1, Turn SubagentTurn2, Turn MainTurn2)
    {
        public override string ToString() =>
            $"main 1: {MainTurn1}; subagent 1: {SubagentTurn1}; subagent 2: {SubagentTurn2}; main 2: {MainTurn2}";
    }
}
