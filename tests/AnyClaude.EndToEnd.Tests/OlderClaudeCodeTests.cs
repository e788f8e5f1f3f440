using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// One smoke run against each older Claude Code (2.1.197 in npm-2.1.197/package.json, and the previous pin 2.1.332 in
/// npm-2.1.332/package.json): a print-mode turn that writes a file.
/// </summary>
[Collection(OlderClaudeCodeCollection.Name)]
public sealed class OlderClaudeCodeTests(ClaudeCode2_1_197 claudeCode2_1_197, ClaudeCode2_1_332 claudeCode2_1_332)
{
    [Theory]
    [InlineData("2.1.197")]
    [InlineData("2.1.332")]
    public async Task An_older_Claude_Code_writes_a_file_through_the_proxy(string version)
    {
        NpmFolder npm = version == "2.1.197" ? claudeCode2_1_197 : claudeCode2_1_332;
        npm.ClaudeVersion.ShouldBe(version);
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var sandbox = new ClaudeSandbox();
        string path = Path.Combine(sandbox.WorkDirectory, "old.txt");
        backend.Enqueue(
            ScriptedResponse.ToolCalls(("Write", JsonSerializer.Serialize(new { file_path = path, content = $"written by {version}\n" }))),
            ScriptedResponse.Text("Wrote old.txt."));

        var result = await ProcessRunner.RunAsync(
            RepositoryPaths.AnyClaudeExecutable,
            ["-p", "Write old.txt", "--output-format", "json", "--allowedTools", "Write"],
            sandbox.Environment(npm, ServerFlavor.MlxLm, backend.BaseUrl),
            sandbox.WorkDirectory,
            TimeSpan.FromSeconds(90));

        string line = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'))
            ?? throw new ShouldAssertException($"claude printed no JSON result:\n{result}");
        using var output = JsonDocument.Parse(line);
        output.RootElement.GetProperty("result").GetString().ShouldBe("Wrote old.txt.", result.ToString());
        File.ReadAllText(path).ShouldBe($"written by {version}\n");
        backend.ChatRequests.Count.ShouldBe(2);
    }
}
