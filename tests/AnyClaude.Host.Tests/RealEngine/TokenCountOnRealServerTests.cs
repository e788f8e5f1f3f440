using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// <c>count_tokens</c> through a real anyclaude against what a real llama-server then reports for the same body: the
/// kinds that ask the server to count (<c>llama-cpp</c>: <c>/apply-template</c> + <c>/tokenize</c>; <c>anthropic</c>:
/// its <c>/v1/messages/count_tokens</c>) match it exactly; the generic kind, which cannot ask, estimates and is
/// calibrated by the first answer's usage.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class TokenCountOnRealServerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(EngineKind.LlamaCpp)]
    [InlineData(EngineKind.Anthropic)]
    public async Task Count_tokens_equals_the_prompt_the_server_then_processes_for_the_same_body(EngineKind kind)
    {
        await using var proxy = await RealEngineProxy.StartAsync(kind);
        var conversation = ProjectNotes.Conversation(seed: 2);
        string body = conversation.Body();

        int counted = await proxy.CountTokensAsync(body);
        await proxy.StreamAsync(body);
        var server = ServerFigures.Of(proxy.Tap.To(RealEngineProxy.AnswerPath(kind))[^1]);
        output.WriteLine($"{kind}: count_tokens {counted}, server's prompt {server.PromptTokens}");

        counted.ShouldBe(server.PromptTokens);
    }

    [Fact]
    public async Task The_generic_kinds_estimate_is_calibrated_to_the_servers_count_by_the_first_answer()
    {
        await using var proxy = await RealEngineProxy.StartAsync(EngineKind.OpenAI);
        var conversation = ProjectNotes.Conversation(seed: 3);
        string body = conversation.Body();

        int before = await proxy.CountTokensAsync(body);
        await proxy.StreamAsync(body);
        var server = ServerFigures.Of(proxy.Tap.To("/chat/completions")[^1]);
        int after = await proxy.CountTokensAsync(body);
        output.WriteLine($"openai: estimate {before}, server's prompt {server.PromptTokens}, calibrated count {after}");

        Math.Abs(after - server.PromptTokens).ShouldBeLessThanOrEqualTo(server.PromptTokens / 100, $"calibrated {after} against the server's {server.PromptTokens}");
    }
}
