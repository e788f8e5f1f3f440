using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// The real Claude Code against a backend that prints its tool calls as plain text (the server parsed none), in
/// each model family's format: the proxy's <c>text-tool-calls</c> step turns them into tool_use blocks, and the
/// tools really run.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class PrintedToolCallTests(NpmPackages npm)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    public static TheoryData<string> Formats() => ["qwen3-coder", "hermes", "llama3", "mistral", "mistral-args", "lmstudio", "glm", "deepseek", "kimi"];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_Write_printed_as_text_writes_the_file(string format)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, FakeWindows.Roomy);
        using var sandbox = new ClaudeSandbox();
        string path = Path.Combine(sandbox.WorkDirectory, "notes.html");
        const string content = "<p>line one</p>\nline \"two\" with ünïcode & a < b\n";
        backend.Enqueue(
            ScriptedResponse.Text("I'll write the file.\n" + Print(format, "Write", ("file_path", path), ("content", content))),
            ScriptedResponse.Text("Wrote notes.html."));

        var result = await RunClaudeAsync(sandbox, backend.BaseUrl, "-p", "Write notes.html", "--output-format", "json", "--allowedTools", "Write");

        ParseResult(result).GetProperty("result").GetString().ShouldBe("Wrote notes.html.", result.ToString());
        File.ReadAllText(path).ShouldBe(content);
        backend.ChatRequests.Count.ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_Read_then_an_Edit_printed_as_text_change_the_file(string format)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, FakeWindows.Roomy);
        using var sandbox = new ClaudeSandbox();
        string path = Path.Combine(sandbox.WorkDirectory, "config.ini");
        File.WriteAllText(path, "[server]\nport = 8080\nhost = localhost\n");
        backend.Enqueue(
            ScriptedResponse.Text(Print(format, "Read", ("file_path", path))),
            ScriptedResponse.Text("Now the edit.\n" + Print(format, "Edit", ("file_path", path), ("old_string", "port = 8080"), ("new_string", "port = 9090"))),
            ScriptedResponse.Text("Changed the port to 9090."));

        var result = await RunClaudeAsync(sandbox, backend.BaseUrl, "-p", "Change the port to 9090", "--output-format", "json", "--allowedTools", "Read", "Edit");

        ParseResult(result).GetProperty("result").GetString().ShouldBe("Changed the port to 9090.", result.ToString());
        File.ReadAllText(path).ShouldBe("[server]\nport = 9090\nhost = localhost\n");
        backend.ChatRequests.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("hermes")]
    [InlineData("qwen3-coder")]
    public async Task With_emulated_tools_no_tools_go_upstream_and_a_Write_completes(string format)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, FakeWindows.Roomy);
        using var sandbox = new ClaudeSandbox();
        string path = Path.Combine(sandbox.WorkDirectory, "notes.txt");
        const string content = "emulated\n";
        backend.Enqueue(
            ScriptedResponse.Text(Print(format, "Write", ("file_path", path), ("content", content))),
            ScriptedResponse.Text("Wrote notes.txt."));
        var environment = sandbox.Environment(npm, ServerFlavor.LmStudio, backend.BaseUrl);
        environment["ANYCLAUDE_BACKENDS__LMSTUDIO__SUPPORTSTOOLS"] = "false";
        environment["ANYCLAUDE_BACKENDS__LMSTUDIO__TOOLEMULATION"] = format;

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "Write notes.txt", "--output-format", "json", "--allowedTools", "Write"], environment, sandbox.WorkDirectory, RunTimeout);

        ParseResult(result).GetProperty("result").GetString().ShouldBe("Wrote notes.txt.", result.ToString());
        File.ReadAllText(path).ShouldBe(content);
        backend.ChatRequests.Count.ShouldBe(2);
        foreach (var request in backend.ChatRequests)
        {
            using var body = request.Json();
            body.RootElement.TryGetProperty("tools", out _).ShouldBeFalse();
        }

        // The second request carries the call and its result as text in the format.
        using var second = backend.ChatRequests[1].Json();
        var texts = second.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => m.GetProperty("content"))
            .SelectMany(c => c.ValueKind == JsonValueKind.String ? [c.GetString()!] : c.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString()! : ""))
            .ToList();
        texts.ShouldContain(t => t.Contains(format == "hermes" ? "<tool_call>\n{\"name\": \"Write\"" : "<tool_call>\n<function=Write>", StringComparison.Ordinal));
        texts.ShouldContain(t => t.Contains("<tool_response>", StringComparison.Ordinal));
    }

    /// <summary>A call as a model of that family prints it.</summary>
    internal static string Print(string format, string name, params (string Key, string Value)[] arguments)
    {
        string json = JsonSerializer.Serialize(arguments.ToDictionary(a => a.Key, a => a.Value));
        return format switch
        {
            "qwen3-coder" => $"<tool_call>\n<function={name}>\n{string.Concat(arguments.Select(a => $"<parameter={a.Key}>\n{a.Value}\n</parameter>\n"))}</function>\n</tool_call>",
            "hermes" => $"<tool_call>\n{{\"name\": \"{name}\", \"arguments\": {json}}}\n</tool_call>",
            "llama3" => $"<|python_tag|>{{\"name\": \"{name}\", \"parameters\": {json}}}",
            "mistral" => $"[TOOL_CALLS][{{\"name\": \"{name}\", \"arguments\": {json}}}]",
            "mistral-args" => $"[TOOL_CALLS]{name}[ARGS]{json}",
            "lmstudio" => $"[TOOL_REQUEST]{{\"name\": \"{name}\", \"arguments\": {json}}}[END_TOOL_REQUEST]",
            "glm" => $"<tool_call>{name}\n{string.Concat(arguments.Select(a => $"<arg_key>{a.Key}</arg_key>\n<arg_value>{a.Value}</arg_value>\n"))}</tool_call>",
            "deepseek" => $"<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>{name}<｜tool▁sep｜>{json}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
            "kimi" => $"<|tool_calls_section_begin|><|tool_call_begin|>functions.{name}:0<|tool_call_argument_begin|>{json}<|tool_call_end|><|tool_calls_section_end|>",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
    }

    private Task<ProcessResult> RunClaudeAsync(ClaudeSandbox sandbox, Uri backendUrl, params string[] claudeArguments) =>
        ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, claudeArguments, sandbox.Environment(npm, ServerFlavor.LmStudio, backendUrl), sandbox.WorkDirectory, RunTimeout);

    private static JsonElement ParseResult(ProcessResult result)
    {
        string line = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'))
            ?? throw new ShouldAssertException($"claude printed no JSON result:\n{result}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
