using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>The real Claude Code CLI, in print mode, launched by the real anyclaude, against a scripted backend.</summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class PrintModeTests(NpmPackages npm)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    public async Task A_plain_question_gets_the_scripted_answer(ServerFlavor flavor)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(flavor, FakeWindows.Roomy);
        backend.Enqueue(ScriptedResponse.Text("The answer is 42."));
        using var sandbox = new ClaudeSandbox();

        var result = await RunClaudeAsync(sandbox, flavor, backend.BaseUrl, "-p", "What is the answer?", "--output-format", "json");

        var output = ParseResult(result);
        output.GetProperty("is_error").GetBoolean().ShouldBeFalse(result.ToString());
        output.GetProperty("result").GetString().ShouldBe("The answer is 42.");
        result.ExitCode.ShouldBe(0);
        backend.ChatRequests.Count.ShouldBe(1);
    }

    // The Write round trip for every backend kind, mlx-lm and lmstudio included, is in BackendKindsEndToEndTests.

    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    public async Task A_two_step_edit_reads_then_edits_the_file_on_disk(ServerFlavor flavor)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(flavor, FakeWindows.Roomy);
        using var sandbox = new ClaudeSandbox();
        string path = Path.Combine(sandbox.WorkDirectory, "config.ini");
        File.WriteAllText(path, "[server]\nport = 8080\nhost = localhost\n");
        backend.Enqueue(
            ScriptedResponse.ToolCalls(("Read", JsonSerializer.Serialize(new { file_path = path }))),
            ScriptedResponse.ToolCalls(("Edit", JsonSerializer.Serialize(new { file_path = path, old_string = "port = 8080", new_string = "port = 9090" }))),
            ScriptedResponse.Text("Changed the port to 9090."));

        var result = await RunClaudeAsync(sandbox, flavor, backend.BaseUrl, "-p", "Change the port to 9090", "--output-format", "json", "--allowedTools", "Read", "Edit");

        ParseResult(result).GetProperty("result").GetString().ShouldBe("Changed the port to 9090.", result.ToString());
        File.ReadAllText(path).ShouldBe("[server]\nport = 9090\nhost = localhost\n");
        backend.ChatRequests.Count.ShouldBe(3);
        FindToolMessage(backend.ChatRequests[1]).GetProperty("content").GetString()!.ShouldContain("port = 8080");
    }

    [Theory]
    [InlineData(ServerFlavor.MlxLm, "mlx-lm")]
    [InlineData(ServerFlavor.LmStudio, "lmstudio")]
    public async Task A_backend_that_is_down_ends_claude_quickly_with_the_proxy_message(ServerFlavor flavor, string backendName)
    {
        var closed = new Uri($"http://127.0.0.1:{ClosedPort()}/v1");
        using var sandbox = new ClaudeSandbox();

        var result = await RunClaudeAsync(sandbox, flavor, closed, "-p", "hello", "--output-format", "json");

        result.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10), result.ToString());
        result.ExitCode.ShouldNotBe(0);
        var output = ParseResult(result);
        output.GetProperty("is_error").GetBoolean().ShouldBeTrue();
        string message = output.GetProperty("result").GetString()!;
        message.ShouldContain($"backend '{backendName}'");
        message.ShouldContain(closed.ToString().TrimEnd('/'));
    }

    [Fact]
    public async Task A_stream_that_breaks_half_way_is_recovered_by_the_non_streaming_retry()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        backend.Enqueue(
            ScriptedResponse.Text("This answer breaks off half-way through the stream").BreakAfterChunks(5),
            ScriptedResponse.Text("Recovered answer."));
        using var sandbox = new ClaudeSandbox();

        var result = await RunClaudeAsync(sandbox, ServerFlavor.MlxLm, backend.BaseUrl, "-p", "hello", "--output-format", "json");

        ParseResult(result).GetProperty("result").GetString().ShouldBe("Recovered answer.", result.ToString());
        backend.BrokenStreams.ShouldBe(1);
        // The proxy logs one line per request: the broken stream, then Claude Code's non-streaming retry.
        string log = sandbox.ProxyLog();
        log.ShouldContain(" stream ");
        log.ShouldContain(" json 200 ");
    }

    private Task<ProcessResult> RunClaudeAsync(ClaudeSandbox sandbox, ServerFlavor flavor, Uri backendUrl, params string[] claudeArguments) =>
        ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, claudeArguments, sandbox.Environment(npm, flavor, backendUrl), sandbox.WorkDirectory, RunTimeout);

    private static JsonElement ParseResult(ProcessResult result)
    {
        string line = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'))
            ?? throw new ShouldAssertException($"claude printed no JSON result:\n{result}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static JsonElement FindToolMessage(RecordedRequest request)
    {
        using var body = request.Json();
        return body.RootElement.GetProperty("messages").EnumerateArray()
            .Last(m => m.GetProperty("role").GetString() == "tool").Clone();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
