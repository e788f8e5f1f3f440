using System.Text.Json;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport.RealEngine;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>A backend's <c>fallback</c> takes over from, or for, a real <c>llama-server</c> that is down before the first byte.</summary>
[Collection(RealEngineCollection.Name)]
public sealed class FallbackFromRealServerTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_backend_on_a_closed_port_falls_back_to_the_real_server(bool stream)
    {
        await using var server = await RealLlamaServer.StartAsync();
        var down = new BackendOptions { Name = "down", Kind = "llama-cpp", Url = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1") };
        await using var proxy = await ProxyOverRealEngine.StartAsync(
            [down, ProxyOverRealEngine.Backend("real", "llama-cpp", server)],
            ProxyOverRealEngine.Fallbacks("down", "real"));

        using var response = await proxy.SendAsync(ProxyOverRealEngine.Body("Say something.", stream, maxTokens: 8));
        string body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, body);
        ProxyOverRealEngine.BackendOf(response).ShouldBe("real");
        AssertAnswered(body, stream);
    }

    [Fact]
    public async Task A_real_server_killed_between_requests_falls_back_to_a_second_real_server_of_another_kind()
    {
        await using var first = await RealLlamaServer.StartAsync();
        await using var second = await RealLlamaServer.StartAsync();
        await using var proxy = await ProxyOverRealEngine.StartAsync(
            [ProxyOverRealEngine.Backend("first", "llama-cpp", first), ProxyOverRealEngine.Backend("second", "anthropic", second)],
            ProxyOverRealEngine.Fallbacks("first", "second"));

        // A request first, so the proxy holds a kept-alive connection to the server that then dies.
        using (var warm = await proxy.SendAsync(ProxyOverRealEngine.Body("Hello.", stream: true, maxTokens: 8)))
        {
            ProxyOverRealEngine.BackendOf(warm).ShouldBe("first");
            AssertAnswered(await warm.Content.ReadAsStringAsync(), stream: true);
        }

        await first.KillAsync();
        foreach (bool stream in new[] { true, false })
        {
            using var response = await proxy.SendAsync(ProxyOverRealEngine.Body("Still there?", stream, maxTokens: 8));
            string body = await response.Content.ReadAsStringAsync();
            ((int)response.StatusCode).ShouldBe(200, body);
            ProxyOverRealEngine.BackendOf(response).ShouldBe("second");
            AssertAnswered(body, stream);
        }
    }

    private static void AssertAnswered(string body, bool stream)
    {
        if (stream)
        {
            var events = TestSupport.SseReader.Parse(body);
            events.Select(e => e.Event).ShouldNotContain("error", body);
            events[^1].Event.ShouldBe("message_stop", body);
            events.ShouldContain(e => e.Event == "content_block_delta", body);
            return;
        }

        using var message = JsonDocument.Parse(body);
        message.RootElement.GetProperty("type").GetString().ShouldBe("message", body);
        message.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt32().ShouldBeGreaterThan(0, body);
    }
}
