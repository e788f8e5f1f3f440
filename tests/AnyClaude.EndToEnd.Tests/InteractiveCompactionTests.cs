using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// Interactive Claude Code (tmux), launched by anyclaude in front of an LM Studio with a 40,000-token window: after a
/// turn that used 36,000 of it, the next prompt is preceded by an auto-compaction, because the launcher told Claude
/// Code the window and gave the main model a name Claude Code does not know (so it takes that window).
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class InteractiveCompactionTests(NpmPackages npm)
{
    private const string CompactionMark = "CRITICAL: Respond with TEXT ONLY";
    // The model LM Studio reports loaded (its fake lists one).
    private const string LauncherModelName = "fake-model";

    [Fact]
    public async Task Claude_Code_auto_compacts_before_the_window_is_full()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, new FakeServerOptions { ContextLength = 131072, LoadedContextLength = 40000 });
        backend.RespondWith(request => IsCompaction(request)
            ? ScriptedResponse.Text("<summary>The user asked two questions.</summary>").WithUsage(3000, 20)
            : ScriptedResponse.Text("Answered.").WithUsage(36000, 10));
        using var sandbox = new ClaudeSandbox();
        sandbox.MarkOnboardingDone();
        string socket = $"anyclaude-e2e-{Guid.NewGuid():N}";
        var environment = sandbox.Environment(npm, ServerFlavor.LmStudio, backend.BaseUrl);
        string launcher = sandbox.WriteLauncher(environment);

        try
        {
            await Tmux.RunAsync(socket, "new-session", "-d", "-s", "claude", "-x", "160", "-y", "48", "-c", sandbox.WorkDirectory, $"sh '{launcher}'");
            string start = await Tmux.WaitForScreenAsync(socket, screen => screen.Contains('❯'), "Claude Code's prompt");
            // The launcher named the main model after the loaded one (Claude Code's default is its own Opus, whose window it would keep).
            start.ShouldContain($"{LauncherModelName} · ", Case.Sensitive, start);
            start.ShouldNotContain("Opus", Case.Sensitive, start);
            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "-l", "First question");
            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");
            await Tmux.WaitForScreenAsync(socket, s => s.Contains("Answered."), "the first answer");

            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "-l", "Second question");
            await Tmux.RunAsync(socket, "send-keys", "-t", "claude", "Enter");
            await backend.WaitUntilAsync(f => f.ChatRequests.Any(r => !IsCompaction(r) && r.BodyText.Contains("Second question") && f.ChatRequests.Any(IsCompaction)), TimeSpan.FromSeconds(60), "a compaction, then the second turn");

            var requests = backend.ChatRequests.ToList();
            string seen = string.Join("\n", requests.Select(r => $"{(IsCompaction(r) ? "compaction" : "request")} {r.Body.Length} bytes, first question: {r.BodyText.Contains("First question")}, second: {r.BodyText.Contains("Second question")}"));
            int first = requests.FindIndex(r => r.BodyText.Contains("First question"));
            int compaction = requests.FindIndex(IsCompaction);
            int second = requests.FindIndex(r => !IsCompaction(r) && r.BodyText.Contains("Second question"));
            first.ShouldBeGreaterThanOrEqualTo(0, seen);
            compaction.ShouldBeGreaterThan(first, seen);
            second.ShouldBeGreaterThan(compaction, "the compaction comes before the second turn is sent\n" + seen);
        }
        finally
        {
            await Tmux.RunAsync(socket, "kill-server");
        }
    }

    private static bool IsCompaction(RecordedRequest request)
    {
        using var body = request.Json();
        return body.RootElement.GetProperty("messages").EnumerateArray()
            .Any(m => m.GetProperty("content") is { ValueKind: JsonValueKind.String } text && text.GetString()!.StartsWith(CompactionMark, StringComparison.Ordinal));
    }
}
