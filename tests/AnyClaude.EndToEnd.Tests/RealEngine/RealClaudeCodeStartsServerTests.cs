using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport.RealEngine;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests.RealEngine;

/// <summary>
/// Issue 25's "done when": nothing running, a configuration whose backend has <c>start</c>, and one command — the real
/// anyclaude starts the real llama-server, waits for it, launches the real Claude Code (print mode), which gets the
/// server's answer; when anyclaude ends, the server it started is gone.
/// </summary>
[Collection(ClaudeCodeCollection.Name)]
public sealed class RealClaudeCodeStartsServerTests(NpmPackages npm)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task One_command_goes_from_no_server_to_Claude_Code_answering_and_the_server_ends_with_it()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        using var sandbox = new ClaudeSandbox();
        int port = FreePort();
        sandbox.WriteConfiguration(new
        {
            mode = "local",
            backends = new
            {
                local = new
                {
                    kind = "llama-cpp",
                    url = $"http://127.0.0.1:{port}/v1",
                    start = new[] { files.Server, "-m", files.Model, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "32768", "--jinja" },
                    startEnvironment = new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = files.LibraryFolder },
                },
            },
        });

        var result = await ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, ["-p", "Say hello", "--output-format", "json"], sandbox.Environment(npm), sandbox.WorkDirectory, RunTimeout);
        string explain = $"{result}\n--- anyclaude log\n{sandbox.ProxyLog()}";

        result.ExitCode.ShouldBe(0, explain);
        string line = result.StandardOutput.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{')) ?? throw new ShouldAssertException(explain);
        using var output = JsonDocument.Parse(line);
        output.RootElement.GetProperty("is_error").GetBoolean().ShouldBeFalse(explain);
        output.RootElement.GetProperty("result").GetString().ShouldNotBeNullOrWhiteSpace(explain);
        result.StandardError.ShouldContain("llama-server", Case.Sensitive, "the start line names the command");
        // The server anyclaude started is gone with it: nothing answers on its port any more.
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Should.ThrowAsync<HttpRequestException>(() => probe.GetAsync($"http://127.0.0.1:{port}/health"));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
