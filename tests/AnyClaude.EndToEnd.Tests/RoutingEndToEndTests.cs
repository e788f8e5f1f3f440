using System.Diagnostics;
using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>The real Claude Code choosing the backend by model name: two scripted backends behind the real anyclaude.</summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class RoutingEndToEndTests(NpmPackages npm)
{
    [Fact]
    public async Task Print_mode_with_model_naming_the_second_backend_reaches_it()
    {
        await using var first = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        first.RespondWith(_ => ScriptedResponse.Text("answer from mlx-lm"));
        await using var second = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio);
        second.RespondWith(_ => ScriptedResponse.Text("answer from lmstudio"));
        using var sandbox = new ClaudeSandbox();
        var environment = TwoBackends(sandbox, first, second);

        var result = await ProcessRunner.RunAsync(
            RepositoryPaths.AnyClaudeExecutable, ["--", "--model", "lmstudio", "-p", "Which backend?", "--output-format", "json"],
            environment, sandbox.WorkDirectory, TimeSpan.FromSeconds(90));

        string line = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'))
            ?? throw new ShouldAssertException($"claude printed no JSON result:\n{result}");
        using var output = JsonDocument.Parse(line);
        output.RootElement.GetProperty("result").GetString().ShouldBe("answer from lmstudio", result.ToString());
        second.ChatRequests.ShouldNotBeEmpty();
        first.ChatRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Typing_model_with_the_second_backend_moves_the_next_turn_there()
    {
        await using var first = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        first.RespondWith(_ => ScriptedResponse.Text("Answer from the first backend."));
        await using var second = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio);
        second.RespondWith(_ => ScriptedResponse.Text("Answer from the second backend."));
        using var sandbox = new ClaudeSandbox();
        sandbox.MarkOnboardingDone();
        var environment = TwoBackends(sandbox, first, second);

        string socket = $"anyclaude-e2e-{Guid.NewGuid():N}";
        string launcher = Path.Combine(sandbox.Home, "launch.sh");
        File.WriteAllText(launcher, "#!/bin/sh\nexec env -i " +
            string.Join(" ", environment.Select(pair => $"'{pair.Key}={pair.Value}'")) +
            $" '{RepositoryPaths.AnyClaudeExecutable}'\n");
        try
        {
            await TmuxAsync(socket, "new-session", "-d", "-s", "claude", "-x", "160", "-y", "48", "-c", sandbox.WorkDirectory, $"sh '{launcher}'");
            await WaitForScreenAsync(socket, screen => screen.Contains('❯'), "Claude Code's prompt");
            await TypeAsync(socket, "First question");
            await WaitForScreenAsync(socket, s => s.Contains("Answer from the first backend."), "the first backend's answer");
            int secondBefore = second.ChatRequests.Count;

            await TypeAsync(socket, "/model lmstudio");
            // Claude Code probes the name, then may ask to confirm a model it does not know: accept whatever it asks.
            var stopwatch = Stopwatch.StartNew();
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(30))
            {
                string screen = await TmuxAsync(socket, "capture-pane", "-p", "-t", "claude");
                if (screen.Contains("Set model to", StringComparison.OrdinalIgnoreCase) || screen.Contains("lmstudio", StringComparison.Ordinal) && screen.Contains('❯') && !screen.Contains("/model lmstudio"))
                {
                    break;
                }

                if (screen.Contains("Enter to confirm", StringComparison.OrdinalIgnoreCase) || screen.Contains("Continue", StringComparison.Ordinal) || screen.Contains("Yes", StringComparison.Ordinal))
                {
                    await TmuxAsync(socket, "send-keys", "-t", "claude", "Enter");
                }

                await Task.Delay(500);
            }

            await TypeAsync(socket, "Second question");
            await WaitForScreenAsync(socket, s => s.Contains("Answer from the second backend."), "the second backend's answer");
            second.ChatRequests.Skip(secondBefore).ShouldContain(r => r.BodyText.Contains("Second question"));
            // The first backend still gets Claude Code's session-title side calls (they ask for the small/fast model, not
            // the one /model chose), which quote the prompt; the turn itself must not go there.
            first.ChatRequests.Where(r => r.BodyText.Contains("Second question")).ShouldAllBe(r => r.BodyText.Contains("title"), ProxyLog(sandbox));
        }
        finally
        {
            await TmuxAsync(socket, "kill-server");
        }
    }

    private static string ProxyLog(ClaudeSandbox sandbox)
    {
        string folder = Path.Combine(sandbox.Home, ".anyclaude", "logs");
        return Directory.Exists(folder) ? string.Join("\n", Directory.GetFiles(folder).Select(File.ReadAllText)) : "(no proxy log)";
    }

    /// <summary>mlx-lm the default, LM Studio the second backend, each at its fake.</summary>
    private Dictionary<string, string> TwoBackends(ClaudeSandbox sandbox, FakeOpenAIServer first, FakeOpenAIServer second)
    {
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, first.BaseUrl);
        environment["LMSTUDIO_URL"] = second.BaseUrl.ToString();
        return environment;
    }

    private static async Task TypeAsync(string socket, string text)
    {
        await TmuxAsync(socket, "send-keys", "-t", "claude", "-l", text);
        await Task.Delay(300);
        await TmuxAsync(socket, "send-keys", "-t", "claude", "Enter");
    }

    private static async Task<string> WaitForScreenAsync(string socket, Func<string, bool> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        string screen = "";
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(60))
        {
            screen = await TmuxAsync(socket, "capture-pane", "-p", "-t", "claude");
            if (condition(screen))
            {
                return screen;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{what} did not appear within 60 s; the screen shows:\n{screen}");
    }

    private static async Task<string> TmuxAsync(string socket, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(
            "tmux", ["-L", socket, .. arguments],
            new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")!, ["TERM"] = "xterm-256color", ["LANG"] = "C.UTF-8" },
            Environment.CurrentDirectory, TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0 && arguments[0] != "kill-server")
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)} failed: {result}");
        }

        return result.StandardOutput;
    }
}
