using System.CommandLine;

namespace AnyClaude.Host.Cli;

/// <summary>The <c>mode</c>, <c>status</c>, <c>ui</c> and <c>statusline</c> subcommands' command-line shape.</summary>
internal static class ControlCommandLine
{
    public static void Add(RootCommand root)
    {
        var port = new Option<int?>("--port") { Description = "Port the running proxy listens on (default: ANYCLAUDE_PORT, else 8080)" };
        var name = new Argument<string>("NAME") { Description = "The configured backend to make the default" };
        var mode = new Command("mode", "Switch the running proxy's default backend (no restart; requests in flight finish where they started)") { name, port };
        mode.SetAction((parse, _) =>
        {
            var environment = ProxyRunner.EnvironmentVariables();
            return ControlCommands.ModeAsync(ControlCommands.ProxyAddress(parse.GetValue(port), environment), parse.GetValue(name)!, environment.GetValueOrDefault("ANYCLAUDE_API_KEY"), Console.Out, Console.Error);
        });
        root.Subcommands.Add(mode);

        var json = new Option<bool>("--json") { Description = "Print the status as JSON (for scripts)" };
        var watch = new Option<bool>("--watch") { Description = "Refresh the status every second until Ctrl+C" };
        var status = new Command("status", "Show the running proxy's default backend, routes, backends (health, requests in flight, time to first token, tokens/s, cached share) and recent requests") { port, json, watch };
        status.SetAction((parse, cancellationToken) =>
        {
            var environment = ProxyRunner.EnvironmentVariables();
            var proxy = ControlCommands.ProxyAddress(parse.GetValue(port), environment);
            string? key = environment.GetValueOrDefault("ANYCLAUDE_API_KEY");
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
        });
        root.Subcommands.Add(status);

        var ui = new Command("ui", "Print the running proxy's dashboard address; with an access key, a one-time link for a browser on this machine") { port };
        ui.SetAction((parse, _) =>
        {
            var environment = ProxyRunner.EnvironmentVariables();
            return UiCommand.RunAsync(ControlCommands.ProxyAddress(parse.GetValue(port), environment), environment.GetValueOrDefault("ANYCLAUDE_API_KEY"), Console.Out, Console.Error);
        });
        root.Subcommands.Add(ui);

        var statusLine = new Command("statusline", "Claude Code's status line: reads its JSON on stdin, prints backend · model · cached share · tok/s · context used (anyclaude configures it when it launches claude)") { port };
        statusLine.SetAction((parse, _) =>
        {
            var environment = ProxyRunner.EnvironmentVariables();
            return StatusLineCommand.RunAsync(ControlCommands.ProxyAddress(parse.GetValue(port), environment), environment.GetValueOrDefault("ANYCLAUDE_API_KEY"), Console.In, Console.Out);
        });
        root.Subcommands.Add(statusLine);
    }
}
