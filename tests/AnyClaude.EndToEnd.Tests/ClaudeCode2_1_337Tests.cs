using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// What Claude Code 2.1.337 sends reaches the backend in a shape a chat template takes (its body is 2.1.332's,
/// protocol.md §1a and §1b).
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class ClaudeCode2_1_337Tests(NpmPackages npm)
{
    [Fact]
    public async Task The_environment_system_message_reaches_the_backend_as_a_reminder_ahead_of_the_prompt()
    {
        npm.ClaudeVersion.ShouldBe("2.1.337");
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        backend.Enqueue(ScriptedResponse.Text("Fine."));
        using var sandbox = new ClaudeSandbox();

        var result = await ProcessRunner.RunAsync(
            RepositoryPaths.AnyClaudeExecutable, ["-p", "How are you?", "--output-format", "json"],
            sandbox.Environment(npm, ServerFlavor.MlxLm, backend.BaseUrl), sandbox.WorkDirectory, TimeSpan.FromSeconds(90));

        result.ExitCode.ShouldBe(0, result.ToString());
        using var body = backend.ChatRequests.ShouldHaveSingleItem().Json();
        var messages = body.RootElement.GetProperty("messages").EnumerateArray().ToList();
        // One leading system message (the system blocks); messages[1] of the request, role: system, became the first
        // prompt's last reminder, ahead of the user's words (hoist-system-message): one user message.
        messages.Select(m => m.GetProperty("role").GetString()).ShouldBe(["system", "user"]);
        string first = messages[1].GetProperty("content").GetString()!;
        first.ShouldEndWith("\n</system-reminder>\n\nHow are you?");
        int environment = first.IndexOf(sandbox.WorkDirectory, StringComparison.Ordinal);
        environment.ShouldBeGreaterThan(0);
        first.LastIndexOf("<system-reminder>\n", environment, StringComparison.Ordinal).ShouldBeGreaterThanOrEqualTo(0);
        body.RootElement.GetProperty("tools").EnumerateArray().ShouldContain(t => t.GetProperty("function").GetProperty("name").GetString() == "ToolSearch");
    }
}
