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
    public async Task The_environment_system_message_reaches_the_backend_as_a_reminder_after_the_prompt()
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
        // One leading system message (the system blocks); messages[1] of the request, role: system, is user-side text in place.
        messages.Count(m => m.GetProperty("role").GetString() == "system").ShouldBe(1);
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[1].GetProperty("content").GetString()!.ShouldContain("How are you?");
        string environment = messages[2].GetProperty("content").GetString()!;
        messages[2].GetProperty("role").GetString().ShouldBe("user");
        environment.ShouldStartWith("<system-reminder>\n");
        environment.ShouldContain(sandbox.WorkDirectory);
        body.RootElement.GetProperty("tools").EnumerateArray().ShouldContain(t => t.GetProperty("function").GetProperty("name").GetString() == "ToolSearch");
    }
}
