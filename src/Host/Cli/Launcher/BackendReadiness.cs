using System.Globalization;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>
/// Before Claude Code takes the terminal: is the default backend's server up? If not, one line says which backend
/// at which URL and how to start it (the plugin's start hint). On a terminal the launcher then waits up to
/// <see cref="Wait"/> for it (a server may be loading its model); without one (<c>claude -p</c> in a script) it does
/// not wait. Claude Code starts either way: its requests get the same message until the server answers, and a server
/// that comes up later is used at once.
/// </summary>
internal static class BackendReadiness
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    public static async Task CheckAsync(IBackend backend, BackendProber prober, TextWriter error, bool onTerminal, TimeProvider time, CancellationToken cancellationToken)
    {
        var health = await prober.ProbeAsync(backend, cancellationToken).ConfigureAwait(false);
        if (health.IsHealthy)
        {
            return;
        }

        error.WriteLine($"anyclaude: {health.Description}");
        if (!onTerminal)
        {
            error.WriteLine("anyclaude: starting Claude Code anyway; its requests fail until the server answers");
            return;
        }

        error.WriteLine($"anyclaude: waiting up to {Wait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s for it, then starting Claude Code anyway (its requests fail until the server answers)");
        long started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < Wait)
        {
            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
            if ((await prober.ProbeAsync(backend, cancellationToken).ConfigureAwait(false)).IsHealthy)
            {
                error.WriteLine($"anyclaude: backend '{backend.Name}' answers now");
                return;
            }
        }
    }

    /// <summary>Someone is at a terminal to read the line and wait (stdin and stderr are not redirected).</summary>
    public static bool OnTerminal => !Console.IsInputRedirected && !Console.IsErrorRedirected;
}
