using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AnyClaude.Host.Servers;
using AnyClaude.Host.Tests.RealEngine;
using AnyClaude.TestSupport.RealEngine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.Servers;

/// <summary>
/// <see cref="ServerSupervisor"/> over the real <c>llama-server</c> (small: <c>-c 2048</c>, one slot): started on
/// demand from a list and from the <c>llama-cpp</c> short form, serving, stopped, not touched when already up,
/// restarted after a crash, ended when its owner is SIGKILLed; bad commands give one message; the <c>mlx-lm</c> short
/// form against a stand-in <c>mlx_lm.server</c> (no PyPI here).
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class ServerSupervisorTests(ITestOutputHelper output) : IDisposable
{
    private readonly ConcurrentQueue<string> _said = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _folder = Directory.CreateTempSubdirectory("anyclaude-servers-").FullName;

    [Fact]
    public async Task Started_from_a_start_list_it_serves_in_a_process_group_of_its_own_and_DisposeAsync_stops_it()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        int port = FreePort();
        var settings = new StartSettings(ServerCommand.Direct(files.Server, LlamaArguments(files, port))) { Environment = Libraries(files) };
        var supervisor = Supervisor("llama", settings, "llama-cpp", port);

        await supervisor.EnsureStartedAsync();

        var status = supervisor.Status;
        output.WriteLine(string.Join('\n', _said));
        status.State.ShouldBe(ServerState.Up);
        status.StartedByAnyClaude.ShouldBeTrue();
        status.Restarts.ShouldBe(0);
        int pid = status.ProcessId.ShouldNotBeNull();
        IsRunning(pid).ShouldBeTrue();
        // Its own process group: the terminal's Ctrl+C goes to anyclaude's group, never to the server.
        ProcessGroupOf(pid).ShouldBe(pid);
        ProcessGroupOf(Environment.ProcessId).ShouldNotBe(pid);
        using (var answer = await CompleteAsync(port))
        {
            answer.RootElement.GetProperty("content").GetString().ShouldNotBeNull();
        }

        _said.ShouldContain($"backend 'llama': nothing answers, starting its server: {settings.Command.Display}");
        _said.ShouldContain(line => line.StartsWith("backend 'llama': its server answers after ", StringComparison.Ordinal) && line.EndsWith($"(pid {pid})", StringComparison.Ordinal));
        supervisor.LastOutput.ShouldContain(line => line.Contains("model loaded", StringComparison.Ordinal));

        await supervisor.DisposeAsync();

        IsRunning(pid).ShouldBeFalse($"llama-server (pid {pid}) outlived DisposeAsync");
        supervisor.Status.State.ShouldBe(ServerState.Stopped);
        (await AnswersAsync(port)).ShouldBeFalse();
    }

    [Fact]
    public async Task The_llama_cpp_short_form_starts_llama_server_on_the_port_of_the_backend_url_with_its_context_and_slots()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        int port = FreePort();
        var settings = ReadSettings("llama-cpp", new Uri($"http://127.0.0.1:{port}/v1"), $$"""
            {
              "start": { "model": {{Json(files.Model)}}, "contextSize": 2048, "parallel": 2, "executable": {{Json(files.Server)}}, "arguments": ["-t", "2", "-n", "8"] },
              "startEnvironment": { "LD_LIBRARY_PATH": {{Json(files.LibraryFolder)}} },
              "startTimeoutSeconds": 120
            }
            """);
        settings.Command.Display.ShouldBe($"{files.Server} -m {files.Model} --port {port} -c 2048 --parallel 2 --jinja -t 2 -n 8");
        await using var supervisor = Supervisor("llama", settings, "llama-cpp", port);

        await supervisor.EnsureStartedAsync();

        supervisor.Status.State.ShouldBe(ServerState.Up);
        using var props = JsonDocument.Parse(await _http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/props")));
        props.RootElement.GetProperty("total_slots").GetInt32().ShouldBe(2);
        props.RootElement.GetProperty("default_generation_settings").GetProperty("n_ctx").GetInt32().ShouldBe(1024);
        using var answer = await CompleteAsync(port);
        answer.RootElement.GetProperty("tokens_predicted").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_server_that_already_answers_is_used_as_it_is_never_started_again_and_never_stopped()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { ContextSize = 2048 });
        int pid = server.ProcessId;
        // A command that would fail loudly if it ran.
        var settings = new StartSettings(ServerCommand.Shell("echo 'must not run' >&2; exit 9"));
        var supervisor = Supervisor("llama", settings, "llama-cpp", server.Port);

        await supervisor.EnsureStartedAsync();
        await supervisor.WaitUntilUpAsync(CancellationToken.None);

        var status = supervisor.Status;
        status.State.ShouldBe(ServerState.External);
        status.StartedByAnyClaude.ShouldBeFalse();
        status.ProcessId.ShouldBeNull();
        status.Message.ShouldBe("backend 'llama' already answers: used as it is; anyclaude neither starts nor stops it");
        supervisor.LastOutput.ShouldBeEmpty();

        await supervisor.DisposeAsync();

        server.HasExited.ShouldBeFalse();
        server.ProcessId.ShouldBe(pid);
        (await AnswersAsync(server.Port)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_server_it_started_that_is_killed_is_started_again_with_a_new_pid_and_one_restart_counted()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        int port = FreePort();
        var settings = new StartSettings(ServerCommand.Direct(files.Server, LlamaArguments(files, port))) { Environment = Libraries(files) };
        await using var supervisor = Supervisor("llama", settings, "llama-cpp", port);
        await supervisor.EnsureStartedAsync();
        int first = supervisor.Status.ProcessId.ShouldNotBeNull();

        Process.GetProcessById(first).Kill();

        var restarted = Stopwatch.StartNew();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (supervisor.Status is not { State: ServerState.Up, ProcessId: { } pid } || pid == first)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"not up again: {supervisor.Status}");
            await Task.Delay(100);
        }

        var status = supervisor.Status;
        output.WriteLine($"up again {restarted.ElapsedMilliseconds} ms after the kill (back-off 1 s included)");
        output.WriteLine(string.Join('\n', _said));
        status.ProcessId.ShouldNotBe(first);
        status.Restarts.ShouldBe(1);
        status.StartedByAnyClaude.ShouldBeTrue();
        IsRunning(first).ShouldBeFalse();
        _said.ShouldContain(line => line.StartsWith($"backend 'llama': its server (pid {first}) exited with code 137 after ", StringComparison.Ordinal)
            && line.Contains($"(command: {settings.Command.Display})", StringComparison.Ordinal)
            && line.EndsWith("; starting it again in 1 s", StringComparison.Ordinal));
        using var answer = await CompleteAsync(port);
        answer.RootElement.GetProperty("tokens_predicted").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_one_message_naming_the_backend_and_the_command()
    {
        var list = await FailureAsync(new StartSettings(ServerCommand.Direct("/nonexistent/llama-server", ["--port", "1"])));
        var onPath = await FailureAsync(new StartSettings(ServerCommand.Direct("anyclaude-no-such-server", ["--port", "1"])));
        var shell = await FailureAsync(new StartSettings(ServerCommand.Shell("anyclaude-no-such-server --port 1")));

        list.ShouldBe("backend 'broken': its server command could not run: '/nonexistent/llama-server' does not exist or is not executable (command: /nonexistent/llama-server --port 1)");
        onPath.ShouldBe("backend 'broken': its server command could not run: 'anyclaude-no-such-server' is not found on PATH (command: anyclaude-no-such-server --port 1)");
        shell.ShouldStartWith("backend 'broken': its server command exited with code 127 before the server answered (command: anyclaude-no-such-server --port 1); it printed: ");
        shell.ShouldContain("anyclaude-no-such-server: not found");
    }

    [Fact]
    public async Task A_server_that_exits_at_once_is_one_message_with_the_command_and_the_servers_last_lines()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        int port = FreePort();
        string missing = Path.Combine(_folder, "missing.gguf");
        var settings = new StartSettings(ServerCommand.Direct(files.Server, ["-m", missing, "--port", port.ToString(CultureInfo.InvariantCulture)])) { Environment = Libraries(files) };

        string message = await FailureAsync(settings, port);

        message.ShouldStartWith($"backend 'broken': its server command exited with code 1 before the server answered (command: {files.Server} -m {missing} --port {port}); it printed: ");
        message.ShouldContain("failed to load model");
        message.ShouldNotContain("\n");
    }

    [Fact]
    public async Task A_server_that_never_answers_is_stopped_after_the_timeout_with_one_message_and_requests_get_it_too()
    {
        var settings = new StartSettings(ServerCommand.Shell("echo 'loading forever'; exec sleep 600")) { Timeout = TimeSpan.FromSeconds(2) };
        var supervisor = Supervisor("broken", settings, "llama-cpp", FreePort());
        var start = supervisor.EnsureStartedAsync();
        int? pid = null;
        while (!start.IsCompleted && pid is null)
        {
            pid = supervisor.Status.ProcessId;
            await Task.Delay(20);
        }

        var failure = await Should.ThrowAsync<ServerStartException>(start);
        var request = await Should.ThrowAsync<ServerStartException>(supervisor.WaitUntilUpAsync(CancellationToken.None));

        failure.Message.ShouldBe("backend 'broken': its server did not answer its health check within 2 s (startTimeoutSeconds), so it was stopped (command: echo 'loading forever'; exec sleep 600); it printed: loading forever");
        request.Message.ShouldBe(failure.Message);
        supervisor.Status.State.ShouldBe(ServerState.Failed);
        supervisor.Status.ProcessId.ShouldBeNull();
        IsRunning(pid.ShouldNotBeNull()).ShouldBeFalse("the command that never answered was left running");
        await supervisor.DisposeAsync();
    }

    [Fact]
    public async Task The_mlx_lm_short_form_runs_mlx_lm_server_from_PATH_with_the_model_and_port_and_waits_for_its_model_list()
    {
        await WriteMlxLmStandInAsync();
        string arguments = Path.Combine(_folder, "arguments.json");
        int port = FreePort();
        var url = new Uri($"http://localhost:{port}/v1");
        var settings = ReadSettings("mlx-lm", url, $$"""
            {
              "model": "mlx-community/Qwen3-4B-4bit",
              "start": { "executable": "mlx_lm.server" },
              "startEnvironment": { "PATH": {{Json($"{_folder}:{Environment.GetEnvironmentVariable("PATH")}")}}, "STAND_IN_ARGUMENTS": {{Json(arguments)}}, "STAND_IN_LOAD_SECONDS": "6" }
            }
            """);
        var supervisor = new ServerSupervisor("mlx", settings, ServerHealthChecks.For("mlx-lm", url, _http), NullLogger.Instance, _said.Enqueue);

        await supervisor.EnsureStartedAsync();

        settings.Command.Display.ShouldBe($"mlx_lm.server --model mlx-community/Qwen3-4B-4bit --port {port}");
        JsonSerializer.Deserialize<string[]>(await File.ReadAllTextAsync(arguments)).ShouldBe(["--model", "mlx-community/Qwen3-4B-4bit", "--port", port.ToString(CultureInfo.InvariantCulture)]);
        supervisor.LastOutput.ShouldContain("Fetching 9 files: 100%");
        // Loading for 6 s: one progress line with the server's last line, the line the progress bar's \r ended first before it.
        supervisor.LastOutput.ShouldContain("Fetching 9 files:  50%");
        _said.ShouldContain(line => line.StartsWith("backend 'mlx': server loading, ", StringComparison.Ordinal) && line.EndsWith(" s: Fetching 9 files: 100%", StringComparison.Ordinal));
        int pid = supervisor.Status.ProcessId.ShouldNotBeNull();
        (await _http.GetStringAsync(new Uri(url, "/v1/models"))).ShouldContain("mlx-community/Qwen3-4B-4bit");

        await supervisor.DisposeAsync();

        IsRunning(pid).ShouldBeFalse();
    }

    [Fact]
    public async Task A_command_that_hands_the_server_on_and_ends_is_waited_for_not_restarted_and_its_group_is_stopped()
    {
        // As `lms server start`: the command returns at once, the server goes on without it.
        await WriteMlxLmStandInAsync();
        int port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/v1");
        var settings = new StartSettings(ServerCommand.Shell($"{Path.Combine(_folder, "mlx_lm.server")} --model m --port {port} & echo handed over"))
        {
            Environment = new Dictionary<string, string> { ["STAND_IN_ARGUMENTS"] = Path.Combine(_folder, "arguments.json") },
        };
        var supervisor = new ServerSupervisor("lms", settings, ServerHealthChecks.For("lmstudio", url, _http), NullLogger.Instance, _said.Enqueue);

        await supervisor.EnsureStartedAsync();

        var status = supervisor.Status;
        status.State.ShouldBe(ServerState.Up);
        status.StartedByAnyClaude.ShouldBeTrue();
        status.ProcessId.ShouldBeNull();
        status.Message.ShouldBe("backend 'lms': its start command handed the server to another process and ended; anyclaude does not restart that server");
        supervisor.LastOutput.ShouldContain("handed over");
        _said.ShouldContain(line => line.StartsWith("backend 'lms': its server answers after ", StringComparison.Ordinal) && line.EndsWith("(its start command ended; the server runs on its own)", StringComparison.Ordinal));

        await supervisor.DisposeAsync();

        // It was left in the command's process group, so it stops with it (a daemon's server, as LM Studio's, is not in it).
        (await AnswersAsync(new Uri(url, "/v1/models"))).ShouldBeFalse();
    }

    [Fact]
    public async Task A_server_whose_owner_is_SIGKILLed_ends_within_seconds()
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        int port = FreePort();
        string settings = Path.Combine(_folder, "child.json");
        await File.WriteAllTextAsync(settings, $$"""
            {
              "kind": "llama-cpp",
              "url": "http://127.0.0.1:{{port}}/v1",
              "start": { "model": {{Json(files.Model)}}, "contextSize": 2048, "parallel": 1, "executable": {{Json(files.Server)}}, "arguments": ["-t", "2"] },
              "startEnvironment": { "LD_LIBRARY_PATH": {{Json(files.LibraryFolder)}} }
            }
            """);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string argument in (string[])["exec", typeof(SupervisorChild).Assembly.Location, SupervisorChild.Verb, settings])
        {
            start.ArgumentList.Add(argument);
        }

        using var owner = Process.Start(start).ShouldNotBeNull();
        var errors = owner.StandardError.ReadToEndAsync();
        int server;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            string? line = await owner.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                throw new ShouldAssertException($"the owner ended before its server was up: {await errors}");
            }

            line.ShouldStartWith("up ");
            server = int.Parse(line[3..], CultureInfo.InvariantCulture);
            IsRunning(server).ShouldBeTrue();
            (await AnswersAsync(port)).ShouldBeTrue();
        }
        finally
        {
            owner.Kill();
        }

        var killed = Stopwatch.StartNew();
        while (IsRunning(server) && killed.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        IsRunning(server).ShouldBeFalse($"llama-server (pid {server}) outlived the SIGKILLed process that started it");
        output.WriteLine($"llama-server ended {killed.ElapsedMilliseconds} ms after its owner was SIGKILLed");
    }

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Records its arguments, prints a progress bar, "loads" for STAND_IN_LOAD_SECONDS, then lists its model at /v1/models.</summary>
    private const string MlxLmStandIn = """
        #!/usr/bin/env python3
        import http.server, json, os, sys, time
        args = sys.argv[1:]
        with open(os.environ["STAND_IN_ARGUMENTS"], "w") as f:
            json.dump(args, f)
        model, port = args[args.index("--model") + 1], int(args[args.index("--port") + 1])
        print("Fetching 9 files:  50%", end="\r", file=sys.stderr, flush=True)
        print("Fetching 9 files: 100%", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("STAND_IN_LOAD_SECONDS", "1")))
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps({"object": "list", "data": [{"id": model, "object": "model"}]}).encode()
                self.send_response(200 if self.path == "/v1/models" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()

        """;

    private async Task WriteMlxLmStandInAsync()
    {
        string standIn = Path.Combine(_folder, "mlx_lm.server");
        await File.WriteAllTextAsync(standIn, MlxLmStandIn);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private ServerSupervisor Supervisor(string backend, StartSettings settings, string kind, int port) =>
        new(backend, settings, ServerHealthChecks.For(kind, new Uri($"http://127.0.0.1:{port}/v1"), _http), NullLogger.Instance, _said.Enqueue);

    private async Task<string> FailureAsync(StartSettings settings, int? port = null)
    {
        await using var supervisor = Supervisor("broken", settings, "llama-cpp", port ?? FreePort());
        var failure = await Should.ThrowAsync<ServerStartException>(supervisor.EnsureStartedAsync());
        supervisor.Status.State.ShouldBe(ServerState.Failed);
        supervisor.Status.Message.ShouldBe(failure.Message);
        output.WriteLine(failure.Message);
        return failure.Message;
    }

    private static StartSettings ReadSettings(string kind, Uri url, string backendJson)
    {
        var section = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "backends": { "local": {{backendJson}} } }""")))
            .Build()
            .GetSection("backends:local");
        var errors = new List<string>();
        var settings = StartSettingsReader.Read(section, kind, url, errors);
        errors.ShouldBeEmpty();
        return settings.ShouldNotBeNull();
    }

    private static string[] LlamaArguments(RealEngineFiles files, int port) =>
        ["-m", files.Model, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "-c", "2048", "--parallel", "1", "-n", "8", "-t", "2", "--jinja"];

    private static Dictionary<string, string> Libraries(RealEngineFiles files) => new() { ["LD_LIBRARY_PATH"] = files.LibraryFolder };

    private async Task<JsonDocument> CompleteAsync(int port)
    {
        using var response = await _http.PostAsync(
            new Uri($"http://127.0.0.1:{port}/completion"),
            new StringContent("""{"prompt": "Hello", "n_predict": 4}""", Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private Task<bool> AnswersAsync(int port) => AnswersAsync(new Uri($"http://127.0.0.1:{port}/health"));

    private async Task<bool> AnswersAsync(Uri address)
    {
        try
        {
            using var response = await _http.GetAsync(address);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static string Json(string text) => JsonSerializer.Serialize(text);

    /// <summary>Running, not a zombie (a killed owner's orphans are reaped by whoever adopts them, which may take a moment).</summary>
    private static bool IsRunning(int pid)
    {
        string stat = Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "stat");
        try
        {
            string text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The fifth field of /proc/PID/stat.</summary>
    private static int ProcessGroupOf(int pid)
    {
        string text = File.ReadAllText(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "stat"));
        return int.Parse(text[(text.LastIndexOf(')') + 2)..].Split(' ')[2], CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
