using System.Text.Json;
using AnyClaude.TestSupport.RealEngine;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// The usage Claude Code sees and anyclaude records, against the real server's own: <c>message_start</c> carries the
/// prompt's size where the proxy knows it, the end of the answer the server's figures, and <c>anyclaude status</c>
/// (what <c>doctor</c> and the dashboard read too) records the prompt and cached tokens the server reported.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class UsageOnRealServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_passthrough_records_the_prompt_and_cached_tokens_the_servers_message_start_gave()
    {
        await using var proxy = await RealEngineProxy.StartAsync(EngineKind.Anthropic);
        var conversation = ProjectNotes.Conversation(seed: 5);
        var first = await proxy.StreamAsync(conversation.Body());
        conversation.Append(first.Text.Length > 0 ? first.Text : "(no answer)", "And the second point?");
        var second = await proxy.StreamAsync(conversation.Body());

        var servers = proxy.Tap.To("/v1/messages").Select(e => ServerFigures.FromMessagesStream(e.ResponseBody)).ToList();
        using var status = await proxy.StatusAsync();
        var recorded = status.RootElement.GetProperty("recent").EnumerateArray().ToList();
        output.WriteLine($"server: {string.Join("; ", servers)}; status recent: {string.Join("; ", recorded)}");

        servers.Count.ShouldBe(2);
        recorded.Count.ShouldBe(2);
        servers[1].CachedTokens.ShouldBeGreaterThan(0);
        second.FinalUsage.GetProperty("input_tokens").GetInt32().ShouldBe(servers[1].PromptTokens - servers[1].CachedTokens);
        second.FinalUsage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(servers[1].CachedTokens);
        for (int turn = 0; turn < 2; turn++)
        {
            recorded[turn].GetProperty("promptTokens").GetInt32().ShouldBe(servers[turn].PromptTokens, $"turn {turn + 1}");
            recorded[turn].GetProperty("cachedTokens").GetInt32().ShouldBe(servers[turn].CachedTokens, $"turn {turn + 1}");
        }
    }

    [Fact]
    public async Task On_the_llama_cpp_kind_message_start_carries_the_pre_flight_count_and_the_end_the_servers_figures()
    {
        // 8,192 tokens a slot: a Claude Code-shaped prompt of ~2,700 tokens and its max_tokens are past half of it, so the
        // proxy counts the prompt (/apply-template + /tokenize) before sending it, as it does near the edge of any window.
        await using var proxy = await RealEngineProxy.StartAsync(EngineKind.LlamaCpp, new LlamaServerOptions { ContextSize = 16384, Parallel = 2 });
        string body = ProjectNotes.Conversation(seed: 6).Body();

        var answer = await proxy.StreamAsync(body);
        var counts = proxy.Tap.To("/tokenize");
        counts.Count.ShouldBe(1, "one count of the prompt per request");
        int preflight = JsonDocument.Parse(counts[0].ResponseBody).RootElement.GetProperty("tokens").GetArrayLength();
        var server = ServerFigures.FromChatStream(proxy.Tap.To("/chat/completions")[^1].ResponseBody);
        output.WriteLine($"llama-cpp: pre-flight count {preflight}, message_start {answer.StartUsage}, server prompt {server.PromptTokens}, final {answer.FinalUsage}");

        answer.StartUsage.GetProperty("input_tokens").GetInt32().ShouldBe(preflight);
        preflight.ShouldBe(server.PromptTokens);
        answer.PromptTokens.ShouldBe(server.PromptTokens);
        answer.CachedTokens.ShouldBe(server.CachedTokens);
    }

    [Fact]
    public async Task On_the_generic_kind_message_start_carries_the_estimate_and_the_end_the_servers_figures()
    {
        await using var proxy = await RealEngineProxy.StartAsync(EngineKind.OpenAI);
        string body = ProjectNotes.Conversation(seed: 7).Body();

        var answer = await proxy.StreamAsync(body);
        var server = ServerFigures.FromChatStream(proxy.Tap.To("/chat/completions")[^1].ResponseBody);
        int atStart = answer.StartUsage.GetProperty("input_tokens").GetInt32();
        output.WriteLine($"openai: message_start input_tokens {atStart} (estimate), server prompt {server.PromptTokens}");

        atStart.ShouldBeInRange(server.PromptTokens / 2, server.PromptTokens * 2, "the estimate is the rendered body's bytes / 4");
        answer.PromptTokens.ShouldBe(server.PromptTokens);
    }
}
