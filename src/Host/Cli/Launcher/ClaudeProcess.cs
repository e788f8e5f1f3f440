using System.Diagnostics;
using System.Runtime.InteropServices;
using AnyClaude.Host.Servers;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>
/// Runs claude attached to this terminal. Ctrl+C and Ctrl+\ reach claude from the terminal itself, so this
/// process ignores them while claude runs (it must not leave a half-dead proxy behind); SIGTERM and SIGHUP
/// sent to anyclaude are passed on to claude, and a <see cref="ProcessWatchdog"/> ends claude if anyclaude dies
/// without a chance to (SIGKILL, abort).
/// </summary>
internal static partial class ClaudeProcess
{
    public static async Task<int> RunAsync(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environmentChanges)
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environmentChanges)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        using var watchdog = ProcessWatchdog.Watch(process.Id, wholeGroup: false, grace: TimeSpan.FromSeconds(2));
        using var signals = new SignalForwarding(process);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    private sealed class SignalForwarding : IDisposable
    {
        private readonly List<PosixSignalRegistration> _registrations = [];

        public SignalForwarding(Process child)
        {
            if (OperatingSystem.IsWindows())
            {
                _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
                return;
            }

            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true));
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context => context.Cancel = true));
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Forward(child, context)));
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => Forward(child, context)));
        }

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }
        }

        private static void Forward(Process child, PosixSignalContext context)
        {
            context.Cancel = true;
            if (!child.HasExited)
            {
                _ = Kill(child.Id, context.Signal == PosixSignal.SIGHUP ? 1 : 15);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
