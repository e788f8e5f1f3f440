using System.CommandLine;

namespace AnyClaude.Host.Cli;

/// <summary>The <c>mode</c> and <c>status</c> subcommands' command-line shape.</summary>
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

        var status = new Command("status", "Show the running proxy's default backend, routes, backends (health, requests in flight) and recent requests") { port };
        status.SetAction((parse, _) =>
        {
            var environment = ProxyRunner.EnvironmentVariables();
            return ControlCommands.StatusAsync(ControlCommands.ProxyAddress(parse.GetValue(port), environment), environment.GetValueOrDefault("ANYCLAUDE_API_KEY"), Console.Out, Console.Error);
        });
        root.Subcommands.Add(status);
    }
}
