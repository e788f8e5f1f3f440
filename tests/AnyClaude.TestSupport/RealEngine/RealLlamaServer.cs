using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace AnyClaude.TestSupport.RealEngine;

/// <summary>
/// A real <c>llama-server</c> process on a free loopback port, started for one test and stopped by its process id. It
/// can be killed (SIGKILL) and started again on the same port, as a user's server that crashed and was restarted.
/// </summary>
public sealed class RealLlamaServer : IAsyncDisposable
{
    private const int KeptOutputLines = 400;

    private readonly RealEngineFiles _files;
    private readonly LlamaServerOptions _options;
    private readonly Queue<string> _output = new();
    private readonly Lock _gate = new();
    private Process? _process;

    private RealLlamaServer(RealEngineFiles files, LlamaServerOptions options, int port)
    {
        _files = files;
        _options = options;
        Port = port;
        Root = new Uri($"http://127.0.0.1:{port}/");
        Http = new HttpClient { BaseAddress = Root, Timeout = TimeSpan.FromMinutes(5) };
    }

    public int Port { get; }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:PORT/</c> (its native routes: /props, /slots, /v1/messages).</summary>
    public Uri Root { get; }

    /// <summary>The OpenAI-compatible base URL, <c>http://127.0.0.1:PORT/v1</c>, as a backend's <c>url</c>.</summary>
    public Uri V1 => new(Root, "v1");

    public HttpClient Http { get; }

    public RealEngineFiles Files => _files;

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("llama-server is not running");

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The server's last output lines (its log), for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static async Task<RealLlamaServer> StartAsync(LlamaServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var files = await RealEngineInstall.EnsureInstalledAsync();
        options ??= new LlamaServerOptions();
        var server = new RealLlamaServer(files, options, options.Port ?? FreePort());
        try
        {
            await server.StartAgainAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same port and waits until <c>/health</c> says the model is loaded.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        if (!HasExited)
        {
            throw new InvalidOperationException($"llama-server is already running on port {Port} (pid {_process!.Id})");
        }

        var start = new ProcessStartInfo(_files.Server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LD_LIBRARY_PATH"] = _files.LibraryFolder;
        foreach (string argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        _process?.Dispose();
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{_files.Server} did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilHealthyAsync(TimeSpan.FromSeconds(90), cancellationToken);
    }

    /// <summary>SIGKILL, as a crash: the server gets no chance to finish a stream.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async Task<JsonDocument> GetJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        using var response = await Http.GetAsync(path, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
    }

    /// <summary><c>GET /slots</c>: each slot's <c>id</c>, <c>is_processing</c>, <c>n_ctx</c>, …</summary>
    public Task<JsonDocument> SlotsAsync(CancellationToken cancellationToken = default) => GetJsonAsync("slots", cancellationToken);

    /// <summary><c>GET /props</c>: <c>default_generation_settings.n_ctx</c> (per slot), <c>total_slots</c>, …</summary>
    public Task<JsonDocument> PropsAsync(CancellationToken cancellationToken = default) => GetJsonAsync("props", cancellationToken);

    private IEnumerable<string> Arguments()
    {
        string[] fixedArguments =
        [
            "-m", _files.Model,
            "--host", "127.0.0.1",
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", _options.ContextSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--parallel", _options.Parallel.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-n", _options.MaxAnswerTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--jinja",
            "-t", "2",
            "--slots",
        ];
        return fixedArguments.Concat(_options.ExtraArguments);
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"llama-server exited with {_process!.ExitCode} before it was healthy on port {Port}:\n{Output}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(Root, "health"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // slow to answer while it loads
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"llama-server on port {Port} was not healthy within {timeout}:\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        Http.Dispose();
    }
}
