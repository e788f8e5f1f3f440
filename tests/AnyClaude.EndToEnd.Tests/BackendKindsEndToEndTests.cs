using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// The real Claude Code, launched by the real anyclaude, completing a Write through each of the seven default backend
/// kinds, every fake answering in its own server's wire format.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class BackendKindsEndToEndTests(NpmPackages npm)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("mlx-lm")]
    [InlineData("lmstudio")]
    [InlineData("llama-cpp")]
    [InlineData("vllm")]
    [InlineData("exo")]
    [InlineData("ollama")]
    [InlineData("anthropic")]
    public async Task The_model_writes_a_file_with_the_Write_tool_and_gets_the_result_back(string kind)
    {
        await using var backend = await KindFakes.StartAsync(kind);
        using var sandbox = new ClaudeSandbox();
        string path = Path.Combine(sandbox.WorkDirectory, "notes.txt");
        const string content = "line one\nline \"two\" with ünïcode\n";
        backend.ScriptWrite(path, content, "Wrote notes.txt.");

        var result = await ProcessRunner.RunAsync(
            RepositoryPaths.AnyClaudeExecutable, ["-p", "Write notes.txt", "--output-format", "json", "--allowedTools", "Write"],
            sandbox.Environment(npm, kind, backend.Url), sandbox.WorkDirectory, RunTimeout);

        string diagnostics = $"{result}\n--- proxy log ---\n{sandbox.ProxyLog()}";
        ParseResult(result, diagnostics).GetProperty("result").GetString().ShouldBe("Wrote notes.txt.", diagnostics);
        File.ReadAllText(path).ShouldBe(content);
        backend.TurnCount.ShouldBe(2, diagnostics);
        var toolResult = backend.ToolResultOf(1);
        toolResult.CallId.ShouldNotBeNullOrEmpty();
        toolResult.CallId.ShouldBe(backend.ScriptedCallId ?? toolResult.CallId, "the tool result answers the call the server made");
        toolResult.IsError.ShouldBeFalse(toolResult.Text);
        toolResult.Text.ShouldContain("notes.txt");
        result.ExitCode.ShouldBe(0, diagnostics);
        sandbox.ProxyLog().ShouldContain($"-> backend '{kind}' at {backend.Url}");
    }

    private static JsonElement ParseResult(ProcessResult result, string diagnostics)
    {
        string line = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'))
            ?? throw new ShouldAssertException($"claude printed no JSON result:\n{diagnostics}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
