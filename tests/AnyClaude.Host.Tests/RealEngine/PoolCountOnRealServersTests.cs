using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport.RealEngine;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A pool of llama-servers counts as its servers do: <c>count_tokens</c> through a pool asks a replica
/// (<c>/apply-template</c> + <c>/tokenize</c>) instead of estimating, so it equals the prompt the server then processes.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class PoolCountOnRealServersTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Count_tokens_through_a_pool_of_llama_servers_is_the_servers_count()
    {
        await using var first = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 8192 });
        await using var second = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 8192 });
        await using var proxy = await ProxyOverRealEngine.StartAsync(
            [new BackendOptions { Name = "pool", Kind = "llama-cpp", Url = first.V1, Urls = [first.V1, second.V1] }]);
        var body = ProxyOverRealEngine.Body(ProxyOverRealEngine.LongPrompt(40), stream: false, maxTokens: 4);

        using var counted = await proxy.Http.PostAsync("/v1/messages/count_tokens", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        string countText = await counted.Content.ReadAsStringAsync();
        counted.IsSuccessStatusCode.ShouldBeTrue(countText);
        int count = System.Text.Json.JsonDocument.Parse(countText).RootElement.GetProperty("input_tokens").GetInt32();
        string source = counted.Headers.TryGetValues("anyclaude-token-count", out var values) ? values.Single() : "-";

        using var answer = await proxy.AskAsync(body);
        var usage = answer.RootElement.GetProperty("usage");
        int processed = usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("cache_read_input_tokens").GetInt32();
        output.WriteLine($"pool count_tokens {count} ({source}); the server processed {processed}");

        count.ShouldBe(processed);
        source.ShouldNotBe("estimate");
    }
}
