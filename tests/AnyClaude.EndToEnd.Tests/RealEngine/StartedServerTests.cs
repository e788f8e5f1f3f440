using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport.RealEngine;
using Shouldly;
using Xunit.Abstractions;

namespace AnyClaude.EndToEnd.Tests.RealEngine;

/// <summary>
/// A backend's <c>start</c> with the real anyclaude process and the real llama-server: from nothing running to an
/// answer with one command, the server anyclaude started stopped when anyclaude ends (SIGTERM, and SIGKILL through the
/// watchdog), and a server that was already up used as it is and left running.
/// </summary>
public sealed class StartedServerTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);
    private readonly ClaudeSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_backend_with_start_is_started_serves_a_request_and_stops_with_anyclaude_on_SIGTERM()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        int port = FreePort();
        await using var anyclaude = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, ["--proxy-only"], Environment(files, port), _sandbox.WorkDirectory);
        using var http = await ConnectAsync(anyclaude);

        // Sent while the server may still be loading: the request waits for it.
        using var answer = await http.PostAsync("/v1/messages", Body());
        string text = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, text + "\n" + anyclaude.Output);

        var server = await ServerStatusAsync(http);
        output.WriteLine(server.ToString());
        server.GetProperty("state").GetString().ShouldBe("up");
        server.GetProperty("startedByAnyClaude").GetBoolean().ShouldBeTrue();
        int pid = server.GetProperty("processId").GetInt32();
        IsRunning(pid).ShouldBeTrue();
        anyclaude.Output.ShouldContain("llama-server");

        await anyclaude.TerminateAsync(TimeSpan.FromSeconds(30));
        (await EndsWithinAsync(pid, TimeSpan.FromSeconds(10))).ShouldBeTrue($"the llama-server anyclaude started (pid {pid}) outlived its SIGTERM");
    }

    [Fact]
    public async Task The_server_anyclaude_started_ends_when_anyclaude_is_killed_with_SIGKILL()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        int port = FreePort();
        await using var anyclaude = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, ["--proxy-only"], Environment(files, port), _sandbox.WorkDirectory);
        using var http = await ConnectAsync(anyclaude);
        int pid = await UpPidAsync(http);

        await anyclaude.KillAloneAsync();

        (await EndsWithinAsync(pid, TimeSpan.FromSeconds(10))).ShouldBeTrue($"the llama-server anyclaude started (pid {pid}) outlived anyclaude's SIGKILL");
    }

    [Fact]
    public async Task A_server_already_answering_is_used_as_it_is_and_left_running()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        await using var running = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 2048 });
        await using var anyclaude = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, ["--proxy-only"], Environment(files, running.V1.Port), _sandbox.WorkDirectory);
        using var http = await ConnectAsync(anyclaude);

        using var answer = await http.PostAsync("/v1/messages", Body());
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        var server = await ServerStatusAsync(http);
        server.GetProperty("state").GetString().ShouldBe("external");
        server.GetProperty("startedByAnyClaude").GetBoolean().ShouldBeFalse();

        await anyclaude.TerminateAsync(TimeSpan.FromSeconds(30));
        using var health = await new HttpClient().GetAsync(new Uri(running.Root, "health"));
        health.StatusCode.ShouldBe(HttpStatusCode.OK, "a server anyclaude did not start is never stopped by it");
    }

    private Dictionary<string, string> Environment(RealEngineFiles files, int port) => new()
    {
        ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = _sandbox.Home,
        ["LANG"] = "C.UTF-8",
        ["ANYCLAUDE_PORT"] = "0",
        ["ANYCLAUDE_MODE"] = "llama",
        ["ANYCLAUDE_BACKENDS__LLAMA__KIND"] = "llama-cpp",
        ["ANYCLAUDE_BACKENDS__LLAMA__URL"] = $"http://127.0.0.1:{port}/v1",
        ["ANYCLAUDE_BACKENDS__LLAMA__START__0"] = files.Server,
        ["ANYCLAUDE_BACKENDS__LLAMA__START__1"] = "-m",
        ["ANYCLAUDE_BACKENDS__LLAMA__START__2"] = files.Model,
        ["ANYCLAUDE_BACKENDS__LLAMA__START__3"] = "--host",
        ["ANYCLAUDE_BACKENDS__LLAMA__START__4"] = "127.0.0.1",
        ["ANYCLAUDE_BACKENDS__LLAMA__START__5"] = "--port",
        ["ANYCLAUDE_BACKENDS__LLAMA__START__6"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ANYCLAUDE_BACKENDS__LLAMA__START__7"] = "-c",
        ["ANYCLAUDE_BACKENDS__LLAMA__START__8"] = "2048",
        ["ANYCLAUDE_BACKENDS__LLAMA__STARTENVIRONMENT__LD_LIBRARY_PATH"] = files.LibraryFolder,
    };

    private static async Task<HttpClient> ConnectAsync(BackgroundProcess anyclaude)
    {
        string baseUrl = await anyclaude.WaitForLineAsync("export ANTHROPIC_BASE_URL=", RunTimeout);
        return new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = RunTimeout };
    }

    private static StringContent Body() => new(
        """{"model":"claude-sonnet-4-5","max_tokens":4,"messages":[{"role":"user","content":"Say hi"}]}""", Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ServerStatusAsync(HttpClient http)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync("/admin/status"));
        return status.RootElement.GetProperty("servers").EnumerateArray().ShouldHaveSingleItem().Clone();
    }

    private static async Task<int> UpPidAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var server = await ServerStatusAsync(http);
            if (server.GetProperty("state").GetString() == "up")
            {
                return server.GetProperty("processId").GetInt32();
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the server anyclaude started was not up in time");
    }

    private static async Task<bool> EndsWithinAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsRunning(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return !IsRunning(pid);
    }

    // Zombies count as gone: a process that has exited but not been reaped is not running.
    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
