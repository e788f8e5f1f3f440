using System.Text.Json;
using System.Text;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// The real <c>llama-server</c> killed (SIGKILL, as a crash) while its answer streams through the proxy, then started
/// again on the same port: the client gets one error naming the backend, and the same proxy serves the next request.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class ServerKilledMidStreamTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("llama-cpp")]
    [InlineData("anthropic")]
    public async Task A_server_killed_mid_stream_gives_one_error_event_naming_the_backend_and_after_its_restart_the_same_proxy_serves_again(string kind)
    {
        // --ignore-eos: the tiny model would stop after a few words; this answer streams for as long as it is let.
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 8192, MaxAnswerTokens = 2000, ExtraArguments = ["--ignore-eos"] });
        var logs = new CapturedLogs();
        var backend = ProxyOverRealEngine.Backend("llama", kind, server);
        await using var proxy = await ProxyOverRealEngine.StartAsync([backend], logging: logs.Configure);

        using var response = await proxy.SendAsync(ProxyOverRealEngine.Body("Tell me a long story.", stream: true, maxTokens: 2000));
        ((int)response.StatusCode).ShouldBe(200);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        var text = new StringBuilder();
        int deltas = 0;
        bool killed = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            text.Append(line).Append('\n');
            if (!killed && line == "event: content_block_delta" && ++deltas == 3)
            {
                await server.KillAsync();
                killed = true;
            }
        }

        killed.ShouldBeTrue(text.ToString());
        var events = SseReader.Parse(text.ToString());
        events.Select(e => e.Event).ShouldNotContain("message_stop");
        events.Count(e => e.Event == "error").ShouldBe(1, text.ToString());
        events[^1].Event.ShouldBe("error");
        using var error = JsonDocument.Parse(events[^1].Data);
        string message = error.RootElement.GetProperty("error").GetProperty("message").GetString()!;
        error.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("api_error");
        message.ShouldContain("backend 'llama'");
        message.ShouldContain(backend.Url.ToString());
        logs.UnexpectedFailures.ShouldBeEmpty();

        // The user restarts the server; anyclaude is left running.
        await server.StartAgainAsync();
        using var again = await proxy.AskAsync(ProxyOverRealEngine.Body("Are you back?", stream: false, maxTokens: 8));
        again.RootElement.GetProperty("content").EnumerateArray().ShouldContain(b => b.GetProperty("type").GetString() == "text");
        again.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBe(8);
        output.WriteLine($"{kind}: killed after {deltas} deltas; error: {message}");
    }
}
