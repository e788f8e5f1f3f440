using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>The official TypeScript SDK's <c>messages.stream()</c> against a proxy started by the real anyclaude.</summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class TypeScriptSdkTests(NpmPackages npm)
{
    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    public async Task Text_and_tool_use_events_accumulate_to_the_right_final_message(ServerFlavor flavor)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(flavor);
        backend.Enqueue(ScriptedResponse
            .ToolCalls(("Write", """{"file_path":"notes.txt","content":"first line\nsecond \"quoted\" line"}"""))
            .WithText("Let me write the notes."));
        using var sandbox = new ClaudeSandbox();
        await using var proxy = BackgroundProcess.Start(
            RepositoryPaths.AnyClaudeExecutable, ["--proxy-only"], sandbox.Environment(npm, flavor, backend.BaseUrl), sandbox.WorkDirectory);
        string baseUrl = await proxy.WaitForLineAsync("export ANTHROPIC_BASE_URL=", TimeSpan.FromSeconds(30));

        // The script resolves @anthropic-ai/sdk from the node_modules it sits beside.
        string script = Path.Combine(npm.Directory, "sdk-stream.mjs");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "npm", "sdk-stream.mjs"), script, overwrite: true);
        var run = await ProcessRunner.RunAsync(
            "node", [script, baseUrl], new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")!, ["HOME"] = sandbox.Home },
            sandbox.WorkDirectory, TimeSpan.FromSeconds(60));

        run.ExitCode.ShouldBe(0, run.ToString());
        using var result = JsonDocument.Parse(run.StandardOutput);
        var root = result.RootElement;
        root.GetProperty("text").GetString().ShouldBe("Let me write the notes.");
        var events = root.GetProperty("events").EnumerateArray().Select(e => e.GetString()).ToList();
        events.First().ShouldBe("message_start");
        events.Last().ShouldBe("message_stop");
        events.ShouldContain("content_block_delta");

        var message = root.GetProperty("message");
        message.GetProperty("stop_reason").GetString().ShouldBe("tool_use");
        var content = message.GetProperty("content").EnumerateArray().ToList();
        content.Count.ShouldBe(2);
        content[0].GetProperty("type").GetString().ShouldBe("text");
        content[0].GetProperty("text").GetString().ShouldBe("Let me write the notes.");
        content[1].GetProperty("type").GetString().ShouldBe("tool_use");
        content[1].GetProperty("name").GetString().ShouldBe("Write");
        content[1].GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
        var input = content[1].GetProperty("input");
        input.GetProperty("file_path").GetString().ShouldBe("notes.txt");
        input.GetProperty("content").GetString().ShouldBe("first line\nsecond \"quoted\" line");
        message.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBeGreaterThan(0);

        // cache_control on the system block never reaches the backend.
        backend.LastChatRequest.BodyText.ShouldNotContain("cache_control");
    }
}
