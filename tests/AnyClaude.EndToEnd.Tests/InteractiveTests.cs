using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>anyclaude started in a real terminal (tmux): a prompt typed into Claude Code gets the scripted answer on screen.</summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class InteractiveTests(NpmPackages npm)
{
    private const string Answer = "Hello from the scripted backend.";

    [Fact]
    public async Task A_prompt_typed_into_claude_shows_the_scripted_answer()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm, new FakeServerOptions());
        using var sandbox = new ClaudeSandbox();
        sandbox.MarkOnboardingDone();

        // Claude Code may make side requests (a title, a summary); every request gets the same answer.
        for (int i = 0; i < 10; i++)
        {
            backend.Enqueue(ScriptedResponse.Text(Answer));
        }

        string socket = $"anyclaude-e2e-{Guid.NewGuid():N}";
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, backend.BaseUrl);
        string launcher = sandbox.WriteLauncher(environment);

        try
        {
            await Tmux.RunAsync(socket, "new-session", "-d", "-s", "claude", "-x", "160", "-y", "48", "-c", sandbox.WorkDirectory, $"sh '{launcher}'");
            await Tmux.WaitForScreenAsync(socket, screen => screen.Contains('❯'), "Claude Code's prompt");

            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "-l", "Say hello");
            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");

            string screen = await Tmux.WaitForScreenAsync(socket, s => s.Contains(Answer), "the scripted answer");
            screen.ShouldContain("Say hello");
            backend.ChatRequests.ShouldContain(r => r.BodyText.Contains("Say hello"));
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }

    [Fact]
    public async Task Claude_shows_anyclaudes_status_line_under_the_prompt()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm, new FakeServerOptions());
        using var sandbox = new ClaudeSandbox();
        sandbox.MarkOnboardingDone();
        backend.RespondWith(_ => ScriptedResponse.Text(Answer).WithUsage(promptTokens: 2000, completionTokens: 8, cachedTokens: 1500));

        string socket = $"anyclaude-e2e-{Guid.NewGuid():N}";
        var environment = sandbox.Environment(npm, ServerFlavor.MlxLm, backend.BaseUrl);
        string launcher = sandbox.WriteLauncher(environment);

        try
        {
            await Tmux.RunAsync(socket, "new-session", "-d", "-s", "claude", "-x", "160", "-y", "48", "-c", sandbox.WorkDirectory, $"sh '{launcher}'");
            await Tmux.WaitForScreenAsync(socket, screen => screen.Contains('❯'), "Claude Code's prompt");

            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "-l", "Say hello");
            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");

            // anyclaude statusline: backend · upstream model · cached share · tok/s · context used.
            string screen = await Tmux.WaitForScreenAsync(socket, s => s.Contains(Answer) && s.Contains("mlx-lm · ") && s.Contains("cached 75%"), "the answer and anyclaude's status line");
            screen.ShouldMatch(@"mlx-lm · \S+ · cached 75%");
            screen.ShouldContain("ctx 2k");
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }
}
