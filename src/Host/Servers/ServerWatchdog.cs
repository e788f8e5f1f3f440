using System.Diagnostics;
using System.Globalization;

namespace AnyClaude.Host.Servers;

/// <summary>
/// Ends a model server anyclaude started when anyclaude dies without a chance to stop it (SIGKILL, an abort, a crash).
/// The idea of <c>Launcher/ChildWatchdog</c>: a small <c>/bin/sh</c> waits on a pipe whose writing end only anyclaude
/// holds; the kernel closes it when anyclaude dies in any way, <c>read</c> sees end-of-file, and the watchdog sends
/// the server's process group SIGTERM, then SIGKILL after the grace time. When anyclaude stops the server itself it
/// writes a line first and the watchdog just leaves. It targets a process group (the server and anything it started)
/// where the server has one of its own. Not on Windows.
/// </summary>
internal sealed class ServerWatchdog : IDisposable
{
    // Ignores the terminal's signals (they are anyclaude's to handle), so only anyclaude's end makes it act.
    // $1 is the pid, or the process group as -pgid; $2 the seconds between SIGTERM and SIGKILL.
    private const string Script =
        "trap '' INT QUIT HUP TERM; exec >/dev/null 2>&1; " +
        "if read -r _; then exit 0; fi; " +
        "kill -s TERM -- \"$1\"; sleep \"$2\"; kill -s KILL -- \"$1\"";

    private readonly Process? _watchdog;

    private ServerWatchdog(Process? watchdog) => _watchdog = watchdog;

    /// <summary>Watches <paramref name="processId"/>, all of its process group when <paramref name="wholeGroup"/>.</summary>
    public static ServerWatchdog Watch(int processId, bool wholeGroup, TimeSpan grace)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return new ServerWatchdog(null);
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
        foreach (var argument in (ReadOnlySpan<string>)["-c", Script, "anyclaude-server-watchdog", target, seconds])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return new ServerWatchdog(Process.Start(start));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new ServerWatchdog(null);
        }
    }

    /// <summary>The server is stopped (or ended by itself): the watchdog goes without a signal.</summary>
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
