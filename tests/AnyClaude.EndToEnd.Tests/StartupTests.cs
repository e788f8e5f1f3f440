using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using System.Text;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// What a new user meets at start-up, with the real anyclaude process: its exit code, its stderr lines (never a
/// stack trace), and what it leaves behind. No Claude Code needed: a shell script stands in where claude is launched.
/// </summary>
public sealed class StartupTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly ClaudeSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_selected_backend_pointing_at_the_proxys_own_port_stops_start_up_with_one_line_naming_it()
    {
        int port = FreePort();
        var environment = Environment();
        environment["ANYCLAUDE_PORT"] = port.ToString();
        environment["ANYCLAUDE_MODE"] = "llama";
        environment["ANYCLAUDE_BACKENDS__LLAMA__KIND"] = "openai";
        environment["ANYCLAUDE_BACKENDS__LLAMA__URL"] = $"http://localhost:{port}/v1";

        var result = await RunAsync(environment, "--proxy-only");

        result.ExitCode.ShouldBe(2, result.ToString());
        ErrorLines(result).ShouldHaveSingleItem().ShouldStartWith($"anyclaude: backends.llama.url: http://localhost:{port}/v1 is this proxy's own address");
        ShouldHaveNoStackTrace(result);
    }

    [Fact]
    public async Task A_selected_pool_with_one_url_pointing_at_the_proxy_stops_start_up_with_one_line_naming_that_url()
    {
        int port = FreePort();
        var environment = Environment();
        environment["ANYCLAUDE_PORT"] = port.ToString();
        environment["ANYCLAUDE_MODE"] = "farm";
        environment["ANYCLAUDE_BACKENDS__FARM__KIND"] = "openai";
        environment["ANYCLAUDE_BACKENDS__FARM__URLS"] = $"http://127.0.0.1:{FreePort()}/v1,http://localhost:{port}/v1";

        var result = await RunAsync(environment, "--proxy-only");

        result.ExitCode.ShouldBe(2, result.ToString());
        ErrorLines(result).ShouldHaveSingleItem().ShouldStartWith($"anyclaude: backends.farm.urls[1]: http://localhost:{port}/v1 is this proxy's own address");
        ShouldHaveNoStackTrace(result);
    }

    [Fact]
    public async Task Killing_anyclaude_with_SIGKILL_ends_the_claude_it_launched()
    {
        string pidFile = Path.Combine(_sandbox.Home, "claude.pid");
        var environment = Environment();
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude($"echo $$ > '{pidFile}'\nexec sleep 600");

        await using var anyclaude = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, [], environment, _sandbox.WorkDirectory);
        int claude = await WaitForPidAsync(pidFile, anyclaude);
        IsRunning(claude).ShouldBeTrue();

        await anyclaude.KillAloneAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (IsRunning(claude) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        IsRunning(claude).ShouldBeFalse($"the claude anyclaude launched (pid {claude}) outlived it");
    }

    [Fact]
    public async Task A_selected_backend_whose_plugin_is_missing_starts_with_a_warning_and_answers_naming_it()
    {
        var environment = Environment();
        environment["ANYCLAUDE_MODE"] = "textgen";
        environment["ANYCLAUDE_BACKENDS__TEXTGEN__KIND"] = "mlx-textgen";
        environment["ANYCLAUDE_BACKENDS__TEXTGEN__URL"] = "http://127.0.0.1:5001/v1";

        await using var anyclaude = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, ["--proxy-only"], environment, _sandbox.WorkDirectory);
        string baseUrl = await anyclaude.WaitForLineAsync("export ANTHROPIC_BASE_URL=", RunTimeout);
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.PostAsync("/v1/messages", new StringContent(
            """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway, body);
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("error").GetProperty("message").GetString()!
            .ShouldContain("backend 'textgen' is of kind 'mlx-textgen', but no loaded plugin provides it");
        anyclaude.HasExited.ShouldBeFalse();
        anyclaude.Output.ShouldContain("anyclaude: warning: backends.textgen.kind: no loaded plugin provides backends of kind 'mlx-textgen' yet");
        anyclaude.Output.ShouldNotContain("Exception");
    }

    [Fact]
    public async Task An_unknown_setting_stops_start_up_with_one_line_naming_the_nearest_known_one()
    {
        File.WriteAllText(Path.Combine(_sandbox.WorkDirectory, "anyclaude.json"), """{"mdoe": "lmstudio"}""");

        var result = await RunAsync(Environment(), "--proxy-only");

        result.ExitCode.ShouldBe(2, result.ToString());
        ErrorLines(result).ShouldHaveSingleItem().ShouldEndWith("anyclaude.json: unknown setting 'mdoe' (did you mean 'mode'?)");
        ShouldHaveNoStackTrace(result);
    }

    [Fact]
    public async Task Proxy_only_on_a_taken_port_prints_one_line_and_exits_with_2()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var environment = Environment();
        environment["ANYCLAUDE_PORT"] = port.ToString();

        var result = await RunAsync(environment, "--proxy-only");

        result.ExitCode.ShouldBe(2, result.ToString());
        ErrorLines(result).ShouldHaveSingleItem().ShouldStartWith($"anyclaude: cannot listen on 127.0.0.1:{port}:");
        ShouldHaveNoStackTrace(result);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public async Task Debug_while_launching_claude_says_once_where_the_log_goes(int debug, bool traces)
    {
        // A server that is up and says its window: a down one, or one with no window, gets a line of its own.
        await using var backend = await AnyClaude.TestSupport.FakeOpenAIServer.StartAsync(AnyClaude.TestSupport.ServerFlavor.LmStudio, FakeWindows.Roomy);
        var environment = Environment();
        environment["ANYCLAUDE_MODE"] = "lmstudio";
        environment["LMSTUDIO_URL"] = backend.BaseUrl.ToString();
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude("exit 0");

        var result = await RunAsync(environment, "--debug", debug.ToString());

        result.ExitCode.ShouldBe(0, result.ToString());
        string line = ErrorLines(result).ShouldHaveSingleItem();
        string logs = Path.Combine(_sandbox.Home, ".anyclaude", "logs");
        line.ShouldStartWith($"anyclaude: debug {debug}: log in {logs}{Path.DirectorySeparatorChar}anyclaude-");
        line.Contains(Path.Combine(_sandbox.Home, ".anyclaude", "traces")).ShouldBe(traces, line);
        string logFile = line[$"anyclaude: debug {debug}: log in ".Length..].Split(',')[0];
        File.Exists(logFile).ShouldBeTrue($"{logFile} (the log named) does not exist: {string.Join(", ", Directory.GetFiles(logs))}");
    }

    private Dictionary<string, string> Environment() => _sandbox.ProxyEnvironment();

    private Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] arguments) =>
        ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, arguments, environment, _sandbox.WorkDirectory, RunTimeout);

    private string StandInClaude(string body)
    {
        string path = Path.Combine(_sandbox.Home, "claude");
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private static string[] ErrorLines(ProcessResult result) =>
        result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static void ShouldHaveNoStackTrace(ProcessResult result)
    {
        string all = result.StandardOutput + result.StandardError;
        all.ShouldNotContain("Exception", customMessage: result.ToString());
        all.Split('\n').ShouldNotContain(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal), result.ToString());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<int> WaitForPidAsync(string pidFile, BackgroundProcess anyclaude)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
            {
                return pid;
            }

            anyclaude.HasExited.ShouldBeFalse(anyclaude.Output);
            await Task.Delay(50);
        }

        throw new TimeoutException($"the stand-in claude did not start:\n{anyclaude.Output}");
    }

    /// <summary>Running: the process exists and is not a zombie (an orphan's zombie may wait for a reaper that never comes in a container).</summary>
    private static bool IsRunning(int pid)
    {
        string stat = $"/proc/{pid}/stat";
        if (Directory.Exists("/proc/self"))
        {
            try
            {
                string text = File.ReadAllText(stat);
                return text[(text.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
            }
            catch (IOException)
            {
                return false;
            }
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
