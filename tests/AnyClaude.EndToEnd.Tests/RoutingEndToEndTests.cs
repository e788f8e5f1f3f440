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
        string launcher = sandbox.WriteLauncher(environment);
        try
        {
            await Tmux.RunAsync(socket, "new-session", "-d", "-s", "claude", "-x", "160", "-y", "48", "-c", sandbox.WorkDirectory, $"sh '{launcher}'");
            await Tmux.WaitForScreenAsync(socket, screen => screen.Contains('❯'), "Claude Code's prompt");
            await TypeAsync(socket, "First question");
            await Tmux.WaitForScreenAsync(socket, s => s.Contains("Answer from the first backend."), "the first backend's answer");
            int secondBefore = second.ChatRequests.Count;

            await TypeAsync(socket, "/model lmstudio");
            // Claude Code checks the name with a probe, then, mid-conversation, asks whether to switch ("Switch model?").
            string answer = await Tmux.WaitForScreenAsync(socket, s => s.Contains("Set model to lmstudio") || s.Contains("Yes, switch to lmstudio"), "Claude Code accepting the model");
            if (!answer.Contains("Set model to lmstudio"))
            {
                await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");
                await Tmux.WaitForScreenAsync(socket, s => s.Contains("Set model to lmstudio"), "the model switch");
            }

            await TypeAsync(socket, "Second question");
            await Tmux.WaitForScreenAsync(socket, s => s.Contains("Answer from the second backend."), "the second backend's answer");
            second.ChatRequests.Skip(secondBefore).ShouldContain(r => r.BodyText.Contains("Second question"));
            // The first backend still gets Claude Code's session-title side calls (they ask for the small/fast model, not
            // the one /model chose), which quote the prompt; the turn itself must not go there.
            first.ChatRequests.Where(r => r.BodyText.Contains("Second question")).ShouldAllBe(r => r.BodyText.Contains("sentence-case title") || r.BodyText.Contains("naming a coding session"), ProxyLog(sandbox));
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

    /// <summary>mlx-lm the default, LM Studio the second backend, each at its fake.</summary>
    private Dictionary<string, string> TwoBackends(ClaudeSandbox sandbox, FakeOpenAIServer first, FakeOpenAIServer second)
    {
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, first.BaseUrl);
        environment["LMSTUDIO_URL"] = second.BaseUrl.ToString();
        return environment;
    }

    private static async Task TypeAsync(string socket, string text)
    {
        await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "-l", text);
        await Task.Delay(300);
        await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");
    }
}
