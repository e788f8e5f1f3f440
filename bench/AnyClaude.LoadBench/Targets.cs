using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnyClaude.LoadBench;

/// <summary>A process under test: started pinned to its core, read from /proc, stopped by its own id.</summary>
internal sealed class ProxyProcess : IAsyncDisposable
{
    private static readonly double TicksPerMs = 100 / 1000.0; // USER_HZ is 100 on Linux
    private readonly Process _process;
    private readonly string? _scratch;
    private readonly Queue<string> _output = new();

    /// <param name="scratch">a folder of its own, deleted when it stops; null when the caller's folder outlives it.</param>
    private ProxyProcess(Process process, Uri baseUrl, string? scratch)
    {
        _process = process;
        BaseUrl = baseUrl;
        _scratch = scratch;
    }

    public Uri BaseUrl { get; }

    public int Pid => _process.Id;

    /// <summary>User + system CPU of the whole process (all threads), in ms, from /proc/pid/stat.</summary>
    public double CpuMs()
    {
        string stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": field 3 is state, so utime (14) and stime (15) are at offsets 11 and 12.
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerMs;
    }

    /// <summary>CPU time of all the process's threads now alive, in ms, from each thread's schedstat (nanoseconds, unlike <see cref="CpuMs"/>'s 10 ms ticks).</summary>
    public double PreciseCpuMs()
    {
        long nanoseconds = 0;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{Pid}/task"))
        {
            try
            {
                nanoseconds += long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the thread ended between the listing and the read
            }
        }

        return nanoseconds / 1e6;
    }

    /// <summary>VmRSS or VmHWM from /proc/pid/status, in MiB.</summary>
    public double StatusMiB(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary><c>anyclaude --proxy-only</c> (Release build) against the fake backend, pinned with taskset.</summary>
    /// <param name="home">its <c>HOME</c>, kept after it stops (what it remembers survives a restart); null: a scratch folder of its own.</param>
    /// <param name="port">its port (the same one again after a restart); null: a free one.</param>
    public static async Task<ProxyProcess> StartAnyClaudeAsync(string executable, Uri backend, string cpu, IReadOnlyDictionary<string, string> extraEnvironment, string? home = null, int? port = null)
    {
        string scratch = home ?? Directory.CreateTempSubdirectory("anyclaude-bench-").FullName;
        port ??= FreePort();
        var start = new ProcessStartInfo("taskset", ["-c", cpu, executable, "--proxy-only", "--port", port.Value.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["HOME"] = scratch;
        start.Environment["ANYCLAUDE_MODE"] = "mlx-lm";
        start.Environment["MLX_LM_URL"] = new Uri(backend, "/v1").AbsoluteUri;
        start.Environment["MLX_LM_MODEL"] = "bench-model";
        start.Environment["ANYCLAUDE_DEBUG"] = "0";
        start.Environment["ANYCLAUDE_SCRIPTCACHEDIRECTORY"] = Path.Combine(scratch, "cache");
        foreach (var (key, value) in extraEnvironment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var proxy = new ProxyProcess(process, new Uri($"http://127.0.0.1:{port}"), home is null ? scratch : null);
        process.OutputDataReceived += (_, e) => proxy.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => proxy.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await proxy.WaitReadyAsync("/health/live");
        return proxy;
    }

    /// <summary>claude-code-router 1.0.73 in the foreground (<c>cli.js start</c> runs the server in-process).</summary>
    public static async Task<ProxyProcess> StartClaudeCodeRouterAsync(string cliJs, Uri backend, string cpu)
    {
        string scratch = Directory.CreateTempSubdirectory("ccr-bench-").FullName;
        int port = FreePort();
        var config = new JsonObject
        {
            ["PORT"] = port,
            ["HOST"] = "127.0.0.1",
            ["LOG"] = false,
            ["Providers"] = new JsonArray
            {
                new JsonObject
                {
                    ["name"] = "fake",
                    ["api_base_url"] = new Uri(backend, "/v1/chat/completions").AbsoluteUri,
                    ["api_key"] = "bench-key",
                    ["models"] = new JsonArray("bench-model"),
                    ["transformer"] = new JsonObject { ["use"] = new JsonArray("streamoptions") },
                },
            },
            ["Router"] = new JsonObject { ["default"] = "fake,bench-model" },
        };
        Directory.CreateDirectory(Path.Combine(scratch, ".claude-code-router"));
        File.WriteAllText(Path.Combine(scratch, ".claude-code-router", "config.json"), config.ToJsonString());
        var start = new ProcessStartInfo("taskset", ["-c", cpu, "node", cliJs, "start"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = scratch,
        };
        start.Environment["HOME"] = scratch;
        start.Environment["TMPDIR"] = scratch;
        start.Environment["NODE_ENV"] = "production";
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var proxy = new ProxyProcess(process, new Uri($"http://127.0.0.1:{port}"), scratch);
        await proxy.WaitReadyAsync(null);
        return proxy;
    }

    private async Task WaitReadyAsync(string? path)
    {
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the process exited with {_process.ExitCode} before it answered");
            }

            try
            {
                if (path is null)
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, BaseUrl.Port);
                    return;
                }

                using var response = await http.GetAsync(new Uri(BaseUrl, path));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or SocketException or TaskCanceledException)
            {
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"{BaseUrl} did not answer within 60 s");
    }

    /// <summary>
    /// Waits until <c>/admin/status</c> shows every one of <paramref name="kinds"/> warm on <paramref name="backend"/>
    /// (the warm-up anyclaude started on its own has finished), at most <paramref name="timeout"/>. Returns whether it did.
    /// </summary>
    public async Task<bool> WaitWarmAsync(string backend, IReadOnlyCollection<string> kinds, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
        while (clock.Elapsed < timeout)
        {
            try
            {
                using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri(BaseUrl, "/admin/status")));
                foreach (var entry in status.RootElement.GetProperty("backends").EnumerateArray())
                {
                    if (entry.GetProperty("name").GetString() == backend
                        && entry.TryGetProperty("warm", out var warm)
                        && kinds.All(kind => warm.TryGetProperty(kind, out _)))
                    {
                        return true;
                    }
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
            }

            await Task.Delay(500);
        }

        return false;
    }

    /// <summary>Its output lines so far (the last 200) that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> OutputWith(string text)
    {
        lock (_output)
        {
            return [.. _output.Where(line => line.Contains(text, StringComparison.OrdinalIgnoreCase))];
        }
    }

    /// <summary>Whether it is still running, else its exit code and last output lines (for a run that lost its proxy).</summary>
    public string Describe()
    {
        if (!_process.HasExited)
        {
            return $"pid {Pid} is running";
        }

        lock (_output)
        {
            return $"pid {Pid} exited with {_process.ExitCode}; its last output:\n{string.Join('\n', _output)}";
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>Stops it as a user does (SIGTERM, then up to 10 s to finish), and kills it only if it does not.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await term.WaitForExitAsync();
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_scratch is null)
        {
            return;
        }

        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
