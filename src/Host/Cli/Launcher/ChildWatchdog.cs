using System.Diagnostics;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>
/// Makes sure the claude anyclaude launched does not outlive it, however anyclaude ends: a normal exit, SIGTERM
/// (forwarded to claude anyway), but also SIGKILL, an abort or a crash, where no code of ours runs. A small
/// <c>/bin/sh</c> watches a pipe whose writing end only anyclaude holds; the kernel closes it when anyclaude dies
/// in any way, the watchdog's <c>read</c> sees end-of-file, and it sends claude SIGTERM, then SIGKILL two seconds
/// later if claude is still there. On a normal exit anyclaude writes a line first, and the watchdog just leaves.
/// Works the same on Linux and macOS (no parent-death signal needed, which macOS lacks). Not on Windows.
/// </summary>
internal sealed class ChildWatchdog : IDisposable
{
    // Ignores the terminal's signals (Ctrl+C, Ctrl+\, hang-up reach the whole foreground group; they are claude's to
    // handle), so only anyclaude's end makes it act. $1 is claude's pid.
    private const string Script =
        "trap '' INT QUIT HUP; exec >/dev/null 2>&1; " +
        "if read -r _; then exit 0; fi; " +
        "kill -TERM \"$1\"; sleep 2; kill -KILL \"$1\"";

    private readonly Process? _watchdog;

    private ChildWatchdog(Process? watchdog) => _watchdog = watchdog;

    public static ChildWatchdog Watch(Process child)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return new ChildWatchdog(null);
        }

        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            // All three redirected: the watchdog never uses the terminal (so .NET leaves the terminal's settings alone).
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (ReadOnlySpan<string>)["-c", Script, "anyclaude-watchdog", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return new ChildWatchdog(Process.Start(start));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new ChildWatchdog(null);
        }
    }

    /// <summary>claude has exited and anyclaude is ending normally: the watchdog goes without a signal.</summary>
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
