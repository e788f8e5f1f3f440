using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AnyClaude.Host.Servers;

/// <summary>
/// One run of a server command. On Unix it runs in a process group of its own (through <c>perl -e 'setpgrp'</c>,
/// which then execs the command, so the pid stays the server's): the terminal's Ctrl+C and Ctrl+\ go to the foreground
/// group only, so they reach anyclaude (and claude), never the server, which stops when anyclaude has stopped taking
/// requests, not in the middle of one, and is not restarted on the way out. Its signals go to the whole group, so a
/// shell command's children stop with it. Without perl it runs in anyclaude's group. stdin is closed at once (a
/// server never reads it, and must not read the terminal); stdout and stderr go to <see cref="ServerOutput"/>.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const string NewGroupThenExec = "setpgrp(0, 0); exec { $ARGV[0] } @ARGV or do { print STDERR \"$ARGV[0]: $!\\n\"; exit 127 }";
    private static readonly TimeSpan OutputAfterExit = TimeSpan.FromSeconds(1);
    private static readonly Lazy<string?> Perl = new(() => Find("perl", Environment.GetEnvironmentVariable("PATH")));

    private readonly Process _process;
    private readonly ProcessWatchdog _watchdog;

    private ServerProcess(Process process, bool ownGroup, ProcessWatchdog watchdog, Task output)
    {
        _process = process;
        OwnGroup = ownGroup;
        _watchdog = watchdog;
        Id = process.Id;
        Exited = ExitCodeAsync(process, output);
    }

    public int Id { get; }

    /// <summary>The server leads a process group of its own (id <see cref="Id"/>).</summary>
    public bool OwnGroup { get; }

    /// <summary>The exit code, once the process has ended and the output it left is read.</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    /// <summary>Starts <paramref name="settings"/>' command; false with the reason when it cannot run (not found, not executable).</summary>
    public static bool TryStart(StartSettings settings, ServerOutput output, TimeSpan stopGrace, out ServerProcess? started, out string? problem)
    {
        started = null;
        var command = settings.Command;
        string? path = settings.Environment.GetValueOrDefault("PATH") ?? Environment.GetEnvironmentVariable("PATH");
        string? program = Find(command.Program, path);
        if (program is null)
        {
            problem = command.Program.Contains(Path.DirectorySeparatorChar) || command.Program.Contains('/')
                ? $"'{command.Program}' does not exist or is not executable"
                : $"'{command.Program}' is not found on PATH";
            return false;
        }

        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        bool ownGroup = !OperatingSystem.IsWindows() && Perl.Value is not null;
        if (OperatingSystem.IsWindows() && command.ShellText is { } text)
        {
            // cmd.exe reads its own command line: /s /c "…" runs the text as written.
            start.FileName = program;
            start.Arguments = $"/d /s /c \"{text}\"";
        }
        else if (ownGroup)
        {
            start.FileName = Perl.Value!;
            foreach (string argument in (IEnumerable<string>)["-e", NewGroupThenExec, "--", program, .. command.Arguments])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
            foreach (string argument in command.Arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var (name, value) in settings.Environment)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            problem = exception.Message;
            return false;
        }

        process.StandardInput.Close();
        var reading = Task.WhenAll(output.ReadAsync(process.StandardOutput), output.ReadAsync(process.StandardError));
        started = new ServerProcess(process, ownGroup, ProcessWatchdog.Watch(process.Id, ownGroup, stopGrace), reading);
        problem = null;
        return true;
    }

    /// <summary>SIGTERM to the server (its group), SIGKILL after <paramref name="grace"/> if anything of it is left; on Windows the process tree is killed.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Ended already.
            }
        }
        else if ((OwnGroup || !_process.HasExited) && Signal(SigTerm))
        {
            var deadline = DateTime.UtcNow + grace;
            while (IsAlive() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }

            Signal(SigKill);
        }

        await Exited.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        _process.Dispose();
    }

    /// <summary>The server, or any process of its group, still runs (a shell command's child may outlive the shell).</summary>
    private bool IsAlive() => !_process.HasExited || (OwnGroup && Kill(-Id, 0) == 0);

    private bool Signal(int signal) => Kill(OwnGroup ? -Id : Id, signal) == 0;

    private static async Task<int> ExitCodeAsync(Process process, Task output)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        // Its last lines (the reason it ended) are usually still in the pipe; a child that keeps the pipe open must not hold this up.
        await Task.WhenAny(output, Task.Delay(OutputAfterExit)).ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>The program's full path: a path as given (if it is an executable file), else the first match on <paramref name="path"/>.</summary>
    private static string? Find(string program, string? path)
    {
        if (program.Contains('/') || program.Contains(Path.DirectorySeparatorChar))
        {
            string full = Path.GetFullPath(program);
            return IsExecutable(full) ? full : null;
        }

        string[] extensions = OperatingSystem.IsWindows()
            ? ["", .. (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD;.BAT").Split(';', StringSplitOptions.RemoveEmptyEntries)]
            : [""];
        foreach (string folder in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string extension in extensions)
            {
                string candidate = Path.Combine(folder, program + extension);
                if (IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool IsExecutable(string file)
    {
        if (!File.Exists(file))
        {
            return false;
        }

        return OperatingSystem.IsWindows()
            || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
