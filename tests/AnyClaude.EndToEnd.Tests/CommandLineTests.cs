using System.Net.Sockets;
using System.Net;
using AnyClaude.EndToEnd.Tests.Infrastructure;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// anyclaude's own commands and options as a user types them, with the real anyclaude process: a stand-in claude (a
/// shell script) records whether it was launched and with what, so a command mistaken for a prompt shows.
/// </summary>
public sealed class CommandLineTests : IAsyncLifetime
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private readonly ClaudeSandbox _sandbox = new();

    private readonly List<BackgroundProcess> _proxies = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        _sandbox.Dispose();
    }

    private string ClaudeRecord => Path.Combine(_sandbox.Home, "claude-was-run");

    [Fact]
    public async Task Ui_is_anyclaudes_command_and_prints_the_running_proxys_dashboard_address()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        var environment = Environment(backend.BaseUrl);
        int port = await StartProxyOnlyAsync(environment);

        var result = await RunAsync(environment, "ui", "--port", port.ToString());

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.Trim().ShouldBe($"http://127.0.0.1:{port}/ui", result.ToString());
        File.Exists(ClaudeRecord).ShouldBeFalse($"claude was launched: {ReadRecord()}");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("ui")]
    public async Task Anyclaudes_options_before_a_command_are_the_commands_options(string command)
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        var environment = Environment(backend.BaseUrl);
        int port = await StartProxyOnlyAsync(environment);

        var result = await RunAsync(environment, "--port", port.ToString(), command);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain(command == "status" ? "default backend: mlx-lm" : $"http://127.0.0.1:{port}/ui", Case.Sensitive, result.ToString());
        File.Exists(ClaudeRecord).ShouldBeFalse($"claude was launched: {ReadRecord()}");
    }

    [Theory]
    [InlineData("--port abc", "--port: 'abc' is not a whole number from 0 to 65535")]
    [InlineData("--port 70000 -p hi", "--port: '70000' is not a whole number from 0 to 65535")]
    [InlineData("--debug 9", "--debug: '9' is not a whole number from 0 to 3")]
    [InlineData("status --port abc", "--port: 'abc' is not a whole number from 0 to 65535")]
    [InlineData("--port abc status", "--port: 'abc' is not a whole number from 0 to 65535")]
    public async Task A_bad_number_on_the_command_line_gets_one_line_naming_the_option_and_exit_2(string arguments, string message)
    {
        var result = await RunAsync(Environment(new Uri("http://127.0.0.1:9/v1")), arguments.Split(' '));

        result.ExitCode.ShouldBe(2, result.ToString());
        ErrorLines(result).ShouldHaveSingleItem().ShouldBe($"anyclaude: {message}", result.ToString());
        result.StandardOutput.ShouldBeEmpty(result.ToString());
        File.Exists(ClaudeRecord).ShouldBeFalse($"claude was launched: {ReadRecord()}");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("ui")]
    [InlineData("mode lmstudio")]
    public async Task A_bad_port_in_the_environment_gets_the_same_one_line_and_exit_2_from_the_control_commands(string arguments)
    {
        var environment = Environment(new Uri("http://127.0.0.1:9/v1"));
        environment["ANYCLAUDE_PORT"] = "abc";

        var result = await RunAsync(environment, arguments.Split(' '));

        result.ExitCode.ShouldBe(2, result.ToString());
        ErrorLines(result).ShouldHaveSingleItem().ShouldBe("anyclaude: ANYCLAUDE_PORT: 'abc' is not a whole number from 0 to 65535", result.ToString());
    }

    [Fact]
    public async Task When_its_port_is_taken_the_launcher_says_the_port_it_took_and_status_mode_and_ui_find_that_proxy()
    {
        await using var backend = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var environment = Environment(backend.BaseUrl);
        // As a user runs it: no ANYCLAUDE_PORT, so the control commands have no port to go by but this session's record.
        environment.Remove("ANYCLAUDE_PORT");
        // The backend's window is known, so the launcher's only line is the port's (an unknown one gets a line of its own).
        environment["ANYCLAUDE_BACKENDS__MLX-LM__CONTEXTLENGTH"] = "65536";
        string outputs = Path.Combine(_sandbox.Home, "control-commands");
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude($"""
            cd /
            '{RepositoryPaths.AnyClaudeExecutable}' status > '{outputs}' 2>&1; echo "status exit $?" >> '{outputs}'
            '{RepositoryPaths.AnyClaudeExecutable}' ui >> '{outputs}' 2>&1; echo "ui exit $?" >> '{outputs}'
            '{RepositoryPaths.AnyClaudeExecutable}' mode mlx-lm >> '{outputs}' 2>&1; echo "mode exit $?" >> '{outputs}'
            echo "ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL" >> '{outputs}'
            """);

        var result = await RunAsync(environment, "--port", takenPort.ToString());

        result.ExitCode.ShouldBe(0, result.ToString());
        string line = ErrorLines(result).ShouldHaveSingleItem();
        string said = File.ReadAllText(outputs);
        int port = new Uri(said.Split('\n').Single(l => l.StartsWith("ANTHROPIC_BASE_URL=", StringComparison.Ordinal))["ANTHROPIC_BASE_URL=".Length..]).Port;
        port.ShouldNotBe(takenPort);
        line.ShouldBe($"anyclaude: port {takenPort} is taken; this session's proxy is on port {port} (`anyclaude status`, `mode` and `ui` find it)");
        said.ShouldContain("default backend: mlx-lm", Case.Sensitive, said);
        said.ShouldContain("status exit 0", Case.Sensitive, said);
        said.ShouldContain($"http://127.0.0.1:{port}/ui", Case.Sensitive, said);
        said.ShouldContain("ui exit 0", Case.Sensitive, said);
        said.ShouldContain("mode exit 0", Case.Sensitive, said);
        // The session's record went with it.
        string sessions = Path.Combine(_sandbox.Home, ".anyclaude", "sessions");
        (Directory.Exists(sessions) ? Directory.GetFiles(sessions) : []).ShouldBeEmpty();
    }

    [Fact]
    public async Task Anyclaude_mode_is_remembered_for_the_next_start_and_an_explicit_mode_still_wins()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        await using var studio = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio);
        var environment = Environment(mlx.BaseUrl);
        environment.Remove("ANYCLAUDE_MODE");
        environment["LMSTUDIO_URL"] = studio.BaseUrl.ToString();
        var first = await StartProxyOnlyAsync(environment, "--proxy-only");

        var switched = await RunAsync(environment, "mode", "lmstudio", "--port", first.Port.ToString());

        switched.ExitCode.ShouldBe(0, switched.ToString());
        string remembered = Path.Combine(_sandbox.Home, ".anyclaude", "mode.json");
        File.Exists(remembered).ShouldBeTrue(switched.ToString());
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(remembered).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await StopProxiesAsync();
        var next = await StartProxyOnlyAsync(environment, "--proxy-only");
        next.Output.ShouldContain($"-> backend 'lmstudio' at {studio.BaseUrl}", Case.Sensitive, next.Output);
        next.Output.ShouldContain("anyclaude: default backend 'lmstudio', chosen last with `anyclaude mode`", Case.Sensitive, next.Output);

        await StopProxiesAsync();
        var explicitMode = await StartProxyOnlyAsync(environment, "--proxy-only", "--mode", "mlx-lm");
        explicitMode.Output.ShouldContain($"-> backend 'mlx-lm' at {mlx.BaseUrl}", Case.Sensitive, explicitMode.Output);

        await StopProxiesAsync();
        environment["ANYCLAUDE_MODE"] = "mlx-lm";
        var fromEnvironment = await StartProxyOnlyAsync(environment, "--proxy-only");
        fromEnvironment.Output.ShouldContain($"-> backend 'mlx-lm' at {mlx.BaseUrl}", Case.Sensitive, fromEnvironment.Output);
    }

    [Fact]
    public async Task A_remembered_mode_naming_a_backend_that_is_gone_is_ignored_with_one_line()
    {
        await using var mlx = await FakeOpenAIServer.StartAsync(ServerFlavor.MlxLm);
        var environment = Environment(mlx.BaseUrl);
        environment.Remove("ANYCLAUDE_MODE");
        Directory.CreateDirectory(Path.Combine(_sandbox.Home, ".anyclaude"));
        File.WriteAllText(Path.Combine(_sandbox.Home, ".anyclaude", "mode.json"), """{"mode":"gone-server"}""");

        var proxy = await StartProxyOnlyAsync(environment, "--proxy-only");

        proxy.Output.ShouldContain($"-> backend 'mlx-lm' at {mlx.BaseUrl}", Case.Sensitive, proxy.Output);
        proxy.Output.Split('\n').Count(l => l.Contains("gone-server", StringComparison.Ordinal)).ShouldBe(1, proxy.Output);
        proxy.Output.ShouldContain("anyclaude: the backend 'gone-server' chosen last with `anyclaude mode`", Case.Sensitive, proxy.Output);
    }

    private Dictionary<string, string> Environment(Uri backendUrl)
    {
        var environment = _sandbox.ProxyEnvironment();
        environment["ANYCLAUDE_MODE"] = "mlx-lm";
        environment["MLX_LM_URL"] = backendUrl.ToString();
        environment["ANYCLAUDE_CLAUDEPATH"] = StandInClaude();
        return environment;
    }

    /// <summary>A claude that records its arguments in <see cref="ClaudeRecord"/>, runs <paramref name="body"/> and exits 0.</summary>
    private string StandInClaude(string body = "")
    {
        string path = Path.Combine(_sandbox.Home, "claude");
        File.WriteAllText(path, $"#!/bin/sh\nfor a in \"$@\"; do echo \"arg=$a\" >> '{ClaudeRecord}'; done\necho launched >> '{ClaudeRecord}'\n{body}\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    private string ReadRecord() => File.Exists(ClaudeRecord) ? File.ReadAllText(ClaudeRecord) : "";

    /// <summary>Starts <c>anyclaude --proxy-only</c> on a free port (disposed with the sandbox's tests) and returns the port.</summary>
    private async Task<int> StartProxyOnlyAsync(Dictionary<string, string> environment) => (await StartProxyOnlyAsync(environment, "--proxy-only")).Port;

    /// <summary>Starts anyclaude with <paramref name="arguments"/> and waits until it serves; its port and what it printed so far.</summary>
    private async Task<(int Port, string Output)> StartProxyOnlyAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var proxy = BackgroundProcess.Start(RepositoryPaths.AnyClaudeExecutable, arguments, environment, _sandbox.WorkDirectory);
        _proxies.Add(proxy);
        string url = await proxy.WaitForLineAsync("export ANTHROPIC_BASE_URL=", RunTimeout);
        // The last line on stderr before it serves: what came before it on stderr is in too.
        await proxy.WaitForLineAsync("Point Claude Code at it", RunTimeout);
        return (new Uri(url).Port, proxy.Output);
    }

    private async Task StopProxiesAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        _proxies.Clear();
    }

    private Task<ProcessResult> RunAsync(Dictionary<string, string> environment, params string[] arguments) =>
        ProcessRunner.RunAsync(RepositoryPaths.AnyClaudeExecutable, arguments, environment, _sandbox.WorkDirectory, RunTimeout);

    private static string[] ErrorLines(ProcessResult result) =>
        result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
