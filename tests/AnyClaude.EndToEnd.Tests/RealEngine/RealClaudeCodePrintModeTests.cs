using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport.RealEngine;
using Shouldly;
using Xunit.Abstractions;

namespace AnyClaude.EndToEnd.Tests.RealEngine;

/// <summary>
/// The real Claude Code in print mode, launched by the real anyclaude, whose only backend is a real llama-server
/// (kind <c>llama-cpp</c>, from the user's configuration file). The tiny model answers a few words and never calls a
/// tool; Claude Code 2.1.337's own prompt is 11–13k tokens, so a cold prefill is plain to see on the server's figures.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class RealClaudeCodePrintModeTests(NpmPackages npm, ITestOutputHelper log)
{
    // A cold prefill of Claude Code's prompt takes ~10 s on this kind of machine, 30–60 s or more when it is loaded.
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Print_mode_through_anyclaude_gets_the_real_servers_answer()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 65536, Parallel = 1 });
        using var sandbox = new ClaudeSandbox();

        var (result, output) = await RunAsync(sandbox, server, "-p", "Say hello", "--output-format", "json");

        output.GetProperty("is_error").GetBoolean().ShouldBeFalse(Explain(result, sandbox, server));
        output.GetProperty("result").GetString().ShouldNotBeNullOrWhiteSpace(Explain(result, sandbox, server));
        result.ExitCode.ShouldBe(0, Explain(result, sandbox, server));
        // Print mode makes one request, and it is Claude Code's own (its prompt, not a few words).
        var requests = ServerRequest.Finished(server);
        log.WriteLine(ServerRequest.Report(requests, sandbox.ProxyLog()));
        requests.ShouldHaveSingleItem(Explain(result, sandbox, server)).PromptTokens.ShouldBeGreaterThan(5000, Explain(result, sandbox, server));
        sandbox.ProxyLog().ShouldContain(" local ", Case.Sensitive, "the request's log line names the configured backend");
    }

    [Fact]
    public async Task A_continued_session_finds_the_first_runs_prompt_in_the_servers_cache()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 65536, Parallel = 1 });
        using var sandbox = new ClaudeSandbox();

        var (first, firstOutput) = await RunAsync(sandbox, server, "-p", "Name a colour", "--output-format", "json");
        firstOutput.GetProperty("is_error").GetBoolean().ShouldBeFalse(Explain(first, sandbox, server));

        var (second, secondOutput) = await RunAsync(sandbox, server, "-p", "Name another one", "--continue", "--output-format", "json");
        secondOutput.GetProperty("is_error").GetBoolean().ShouldBeFalse(Explain(second, sandbox, server));

        var requests = ServerRequest.Finished(server);
        string figures = $"{string.Join("\n", requests)}\n{Explain(second, sandbox, server)}";
        log.WriteLine(ServerRequest.Report(requests, sandbox.ProxyLog()));
        requests.Count.ShouldBe(2, figures);
        // The second run carries the first run's conversation: its prompt is longer, and the server found all of the
        // first run's prompt in its prefix cache (the tail after it is the first answer and the new question).
        requests[1].PromptTokens.ShouldBeGreaterThan(requests[0].PromptTokens, figures);
        requests[1].CachedTokens.ShouldBeGreaterThanOrEqualTo(requests[0].PromptTokens, figures);
        // Claude Code is told what the server did.
        secondOutput.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(requests[1].CachedTokens, figures);
    }

    private async Task<(ProcessResult Result, JsonElement Output)> RunAsync(ClaudeSandbox sandbox, RealLlamaServer server, params string[] arguments)
    {
        // prewarm off: these tests count the server's requests, and a second run would warm the first one's head first.
        sandbox.WriteConfiguration(new { mode = "local", prewarm = false, backends = new { local = new { kind = "llama-cpp", url = server.V1.ToString() } } });
        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, arguments, sandbox.Environment(npm), sandbox.WorkDirectory, RunTimeout);
        string line = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'))
            ?? throw new ShouldAssertException($"claude printed no JSON result:\n{Explain(result, sandbox, server)}");
        using var document = JsonDocument.Parse(line);
        return (result, document.RootElement.Clone());
    }

    private static string Explain(ProcessResult result, ClaudeSandbox sandbox, RealLlamaServer server) =>
        $"{result}\n--- anyclaude log\n{sandbox.ProxyLog()}\n--- llama-server\n{server.Output}";
}
