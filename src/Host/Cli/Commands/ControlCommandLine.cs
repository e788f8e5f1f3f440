using System.CommandLine;
using AnyClaude.Host.Cli.Launcher;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>The <c>mode</c>, <c>status</c>, <c>ui</c> and <c>statusline</c> subcommands' command-line shape.</summary>
internal static class ControlCommandLine
{
    public static void Add(RootCommand root)
    {
        var port = WholeNumberOption.Create("--port", "Port the running proxy listens on (default: ANYCLAUDE_PORT, else the running session started in this folder, else the one started last, else 8080)", 0, 65535);
        var name = new Argument<string>("NAME") { Description = "The configured backend to make the default (remembered for the next start)" };
        var mode = new Command("mode", "Switch the running proxy's default backend (no restart; requests in flight finish where they started) and remember it for the next start") { name, port };
        mode.SetAction((parse, _) => WithProxy(parse.GetValue(port), (proxy, key) =>
            ControlCommands.ModeAsync(proxy, parse.GetValue(name)!, key, Console.Out, Console.Error, ModeMemory.ForUser())));
        root.Subcommands.Add(mode);

        var json = new Option<bool>("--json") { Description = "Print the status as JSON (for scripts)" };
        var watch = new Option<bool>("--watch") { Description = "Refresh the status every second until Ctrl+C" };
        var status = new Command("status", "Show the running proxy's default backend, routes, backends (health, requests in flight, time to first token, tokens/s, cached share) and recent requests") { port, json, watch };
        status.SetAction((parse, cancellationToken) => WithProxy(parse.GetValue(port), (proxy, key) =>
        {
            if (parse.GetValue(json))
            {
                return StatusCommand.JsonAsync(proxy, key, Console.Out, Console.Error);
            }

            if (parse.GetValue(watch))
            {
                return StatusCommand.WatchAsync(proxy, key, Spectre.Console.AnsiConsole.Console, TimeProvider.System, cancellationToken);
            }

            return Console.IsOutputRedirected
                ? ControlCommands.StatusAsync(proxy, key, Console.Out, Console.Error)
                : StatusCommand.RichAsync(proxy, key, Spectre.Console.AnsiConsole.Console, Console.Error, TimeProvider.System);
        }));
        root.Subcommands.Add(status);

        var ui = new Command("ui", "Print the running proxy's dashboard address; with an access key, a one-time link for a browser on this machine") { port };
        ui.SetAction((parse, _) => WithProxy(parse.GetValue(port), (proxy, key) => UiCommand.RunAsync(proxy, key, Console.Out, Console.Error)));
        root.Subcommands.Add(ui);

        var statusLine = new Command("statusline", "Claude Code's status line: reads its JSON on stdin, prints backend · model · cached share · tok/s · context used (anyclaude configures it when it launches claude)") { port };
        // The status line always exits 0 (a failing one shows nothing): a bad ANYCLAUDE_PORT leaves it the default port.
        statusLine.SetAction((parse, _) => WithProxy(parse.GetValue(port), (proxy, key) => StatusLineCommand.RunAsync(proxy, key, Console.In, Console.Out), alwaysRun: true));
        root.Subcommands.Add(statusLine);
    }

    /// <summary>Runs <paramref name="command"/> against the proxy <see cref="ProxyLocator"/> finds; a bad <c>ANYCLAUDE_PORT</c> is one line and exit 2.</summary>
    private static Task<int> WithProxy(int? port, Func<Uri, string?, Task<int>> command, bool alwaysRun = false)
    {
        var environment = ProxyRunner.EnvironmentVariables();
        var (proxy, problem) = ProxyLocator.Find(port, environment, RunningSessions.ForUser(), Directory.GetCurrentDirectory());
        if (proxy is null && alwaysRun)
        {
            proxy = new Uri($"http://127.0.0.1:{AnyClaudeOptions.DefaultPort}/");
        }

        if (proxy is null)
        {
            Console.Error.WriteLine($"anyclaude: {problem}");
            return Task.FromResult(2);
        }

        return command(proxy, environment.GetValueOrDefault("ANYCLAUDE_API_KEY"));
    }
}
