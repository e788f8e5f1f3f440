using System.Diagnostics;
using System.Globalization;

namespace AnyClaude.Host.Servers;

/// <summary>
/// Makes sure a process anyclaude started (the claude it launched, a model server) does not outlive it, however
/// anyclaude ends: a normal exit, but also SIGKILL, an abort or a crash, where no code of ours runs. A small
/// <c>/bin/sh</c> waits on a pipe whose writing end only anyclaude holds; the kernel closes it when anyclaude dies in
/// any way, <c>read</c> sees end-of-file, and the watchdog sends the process (or its whole process group) SIGTERM,
/// then SIGKILL after the grace time. When anyclaude is done with the process it writes a line first and the watchdog
/// just leaves. Works the same on Linux and macOS (no parent-death signal needed, which macOS lacks). Not on Windows.
/// </summary>
internal sealed class ProcessWatchdog : IDisposable
{
    // Ignores the terminal's signals (they are anyclaude's to handle), so only anyclaude's end makes it act.
    // $1 is the pid, or the process group as -pgid; $2 the seconds between SIGTERM and SIGKILL.
    private const string Script =
        "trap '' INT QUIT HUP TERM; exec >/dev/null 2>&1; " +
        "if read -r _; then exit 0; fi; " +
        "kill -s TERM -- \"$1\"; sleep \"$2\"; kill -s KILL -- \"$1\"";

    private readonly Process? _watchdog;

    private ProcessWatchdog(Process? watchdog) => _watchdog = watchdog;

    /// <summary>Watches <paramref name="processId"/>, all of its process group when <paramref name="wholeGroup"/>.</summary>
    public static ProcessWatchdog Watch(int processId, bool wholeGroup, TimeSpan grace)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return new ProcessWatchdog(null);
        }

        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            // All three redirected: the watchdog never uses the terminal.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string target = (wholeGroup ? -processId : processId).ToString(CultureInfo.InvariantCulture);
        string seconds = Math.Max(1, (int)Math.Ceiling(grace.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        foreach (var argument in (ReadOnlySpan<string>)["-c", Script, "anyclaude-watchdog", target, seconds])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return new ProcessWatchdog(Process.Start(start));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new ProcessWatchdog(null);
        }
    }

    /// <summary>The process is done with (stopped, or ended by itself): the watchdog goes without a signal.</summary>
    public void Dispose()
    {
        if (_watchdog is null)
        {
            return;
        }

        try
        {
            _watchdog.StandardInput.WriteLine("exit");
            _watchdog.StandardInput.Close();
            _watchdog.WaitForExit(1000);
        }
        catch (IOException)
        {
            // It is gone already.
        }

        _watchdog.Dispose();
    }
}
