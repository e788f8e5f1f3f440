using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// The real interactive Claude Code with its quiet switch off, so it sends the session-title request, in front of a
/// backend with a one-slot prefix cache: anyclaude answers the title itself and the second turn finds the first
/// turn's prompt cached.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class CacheEndToEndTests(NpmPackages npm)
{
    [Fact]
    public async Task The_title_request_does_not_cost_the_second_turn_its_cache()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        var cache = SlotPrefixCache.On(backend, "Answer from the backend.");
        using var sandbox = new ClaudeSandbox();
        sandbox.MarkOnboardingDone();
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, backend.BaseUrl);
        // Claude Code sends the title request only when nonessential traffic is allowed; the refusing HTTP(S)_PROXY
        // still keeps everything off the network.
        environment.Remove("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC");

        string socket = $"anyclaude-e2e-{Guid.NewGuid():N}";
        string launcher = sandbox.WriteLauncher(environment);
        try
        {
            await Tmux.RunAsync(socket, "new-session", "-d", "-s", "claude", "-x", "160", "-y", "48", "-c", sandbox.WorkDirectory, $"sh '{launcher}'");
            await Tmux.WaitForScreenAsync(socket, screen => screen.Contains('❯'), "Claude Code's prompt");
            await TypeAsync(socket, "First question about the parser");
            await backend.WaitUntilAsync(_ => cache.Seen.Any(s => s.Body.Contains("First question")), TimeSpan.FromSeconds(60), "the first turn");
            await Tmux.WaitForScreenAsync(socket, s => s.Contains("Answer from the backend."), "the first answer");
            await TypeAsync(socket, "Second question about the lexer");
            await backend.WaitUntilAsync(_ => cache.Seen.Any(s => s.Body.Contains("Second question")), TimeSpan.FromSeconds(60), "the second turn");

            string log = ProxyLog(sandbox);
            log.ShouldContain("cache=local-answer", customMessage: "Claude Code sent no title request, or anyclaude did not answer it:\n" + log);
            var seen = cache.Seen;
            seen.ShouldNotContain(s => s.Body.Contains("naming a coding session"), log);
            var first = seen.Last(s => s.Body.Contains("First question") && !s.Body.Contains("Second question"));
            var second = seen.First(s => s.Body.Contains("Second question"));
            second.CachedTokens.ShouldBeGreaterThanOrEqualTo((int)(0.98 * first.PromptTokens), $"requests the backend saw: {string.Join(", ", seen.Select(s => $"{s.CachedTokens}/{s.PromptTokens}"))}\n{log}");
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }

    private static string ProxyLog(ClaudeSandbox sandbox)
    {
        string folder = Path.Combine(sandbox.Home, ".anyclaude", "logs");
        return Directory.Exists(folder) ? string.Join("\n", Directory.GetFiles(folder).Select(File.ReadAllText)) : "(no proxy log)";
    }

    private static async Task TypeAsync(string socket, string text)
    {
        await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "-l", text);
        await Task.Delay(300);
        await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");
    }
}
