using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport.RealEngine;
using Shouldly;
using Xunit.Abstractions;

namespace AnyClaude.EndToEnd.Tests.RealEngine;

/// <summary>
/// Interactive Claude Code under tmux, launched by the real anyclaude in front of a real one-slot llama-server, with
/// nonessential traffic on so Claude Code sends its session-title request: anyclaude answers the title itself (the
/// server never sees it), and the second turn finds the first turn's prompt in the server's prefix cache.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class RealClaudeCodeInteractiveTests(NpmPackages npm, ITestOutputHelper output)
{
    // A cold prefill of Claude Code's prompt takes ~10 s on this kind of machine, 30–60 s or more when it is loaded.
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_title_is_answered_locally_and_the_second_turn_is_cached_on_the_real_server()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 65536, Parallel = 1 });
        using var sandbox = new ClaudeSandbox();
        sandbox.MarkOnboardingDone();
        sandbox.WriteConfiguration(new { mode = "local", backends = new { local = new { kind = "llama-cpp", url = server.V1.ToString() } } });
        var environment = sandbox.Environment(npm);
        // Claude Code sends the title request only when nonessential traffic is allowed; the refusing HTTP(S)_PROXY
        // still keeps everything off the network.
        environment.Remove("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC");

        string socket = $"anyclaude-e2e-{Guid.NewGuid():N}";
        string launcher = sandbox.WriteLauncher(environment);
        try
        {
            await Tmux.RunAsync(socket, "new-session", "-d", "-s", "claude", "-x", "160", "-y", "48", "-c", sandbox.WorkDirectory, $"sh '{launcher}'");
            await Tmux.WaitForScreenAsync(socket, screen => screen.Contains('❯'), "Claude Code's prompt", TurnTimeout);

            await TypeAsync(socket, "First question about the parser");
            await WaitForRequestsAsync(server, 1, sandbox);

            await TypeAsync(socket, "Second question about the lexer");
            await WaitForRequestsAsync(server, 2, sandbox);

            string log = sandbox.ProxyLog();
            var requests = ServerRequest.Finished(server);
            string figures = $"{string.Join("\n", requests)}\n--- anyclaude log\n{log}\n--- llama-server\n{server.Output}";
            output.WriteLine(ServerRequest.Report(requests, log));
            log.ShouldContain("cache=local-answer", Case.Sensitive, "Claude Code sent no title request, or anyclaude did not answer it:\n" + figures);
            // Two turns, two requests on the server: the title never reached it.
            ServerRequest.Started(server).ShouldBe(2, figures);
            requests.Count.ShouldBe(2, figures);
            requests[0].PromptTokens.ShouldBeGreaterThan(5000, figures);
            requests[1].CachedTokens.ShouldBeGreaterThanOrEqualTo(requests[0].PromptTokens, figures);
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }

    /// <summary>Waits until the server has finished <paramref name="count"/> requests.</summary>
    private static async Task WaitForRequestsAsync(RealLlamaServer server, int count, ClaudeSandbox sandbox)
    {
        var deadline = DateTime.UtcNow + TurnTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ServerRequest.Finished(server).Count >= count)
            {
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"llama-server did not finish {count} requests within {TurnTimeout}:\n--- anyclaude log\n{sandbox.ProxyLog()}\n--- llama-server\n{server.Output}");
    }

    private static async Task TypeAsync(string socket, string text)
    {
        await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "-l", text);
        await Task.Delay(300);
        await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");
    }
}
