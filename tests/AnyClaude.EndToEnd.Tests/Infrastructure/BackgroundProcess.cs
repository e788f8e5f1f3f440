using System.Diagnostics;
using System.Text;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>A long-running program (anyclaude --proxy-only) whose output lines can be waited for; killed on dispose.</summary>
internal sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _gate = new();

    private BackgroundProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public static BackgroundProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = ProcessRunner.StartInfo(fileName, arguments, environment, workingDirectory);
        return new BackgroundProcess(Process.Start(start)!);
    }

    /// <summary>Waits for a line starting with <paramref name="prefix"/> and returns the rest of it.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            string? line = Output.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line[prefix.Length..].Trim();
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the process exited with {_process.ExitCode} before printing '{prefix}':\n{Output}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no line starting with '{prefix}' within {timeout}:\n{Output}");
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Sends SIGTERM (what a service manager or <c>kill</c> sends) and waits for the process to end.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var within = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(within.Token);
    }

    /// <summary>Kills this process alone (SIGKILL on Unix), leaving what it started to fend for itself.</summary>
    public async Task KillAloneAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _output.Append(line).Append('\n');
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
