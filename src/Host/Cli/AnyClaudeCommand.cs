using System.CommandLine;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Cli;

/// <summary><c>anyclaude plugins [--plugins DIR] [--scripts DIR] [--config FILE]</c>, or <c>anyclaude [--plugins DIR] [--scripts DIR] [--mode NAME] [--host ADDRESS] [--port N] [--proxy-only] [--config FILE] [--debug N] [--] [claude arguments]</c>.</summary>
internal static class AnyClaudeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (own, claudeArguments) = ArgumentSplitter.Split(args);
        var plugins = new Option<string?>("--plugins") { Description = "Folder of backend plugins (default: plugins/ beside the executable, plus ~/.anyclaude/plugins)" };
        var scripts = new Option<string?>("--scripts") { Description = "Folder of .csx request scripts, run in file-name order (default: scripts/ beside the executable, plus ~/.anyclaude/scripts)" };
        var mode = new Option<string?>("--mode") { Description = "Backend to use: mlx-lm, lmstudio, openai or any configured name (ANYCLAUDE_MODE)" };
        var host = new Option<string?>("--host") { Description = "Address to listen on (ANYCLAUDE_HOST, default 127.0.0.1); any other than loopback needs an access key (ANYCLAUDE_API_KEY)" };
        var port = new Option<int?>("--port") { Description = $"Port to listen on (ANYCLAUDE_PORT, default {AnyClaudeOptions.DefaultPort})" };
        var proxyOnly = new Option<bool>("--proxy-only") { Description = "Serve without launching Claude Code, and print the variables to point it here (PROXY_ONLY=true)" };
        var config = new Option<string?>("--config") { Description = "A JSON configuration file, above ~/.anyclaude/config.json and ./anyclaude.json" };
        var debug = new Option<int?>("--debug") { Description = "0 off, 1 a line per request, 2 summaries, 3 full traces to files (ANYCLAUDE_DEBUG)" };

        var root = new RootCommand(
            "AnyClaude: Claude Code on the model server on your own machine. " +
            "Everything after the anyclaude options (or after --) is passed to claude unchanged.")
        {
            plugins, scripts, mode, host, port, proxyOnly, config, debug,
        };
        root.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new CommandLineSettings
            {
                PluginsDirectory = parse.GetValue(plugins),
                ScriptsDirectory = parse.GetValue(scripts),
                Mode = parse.GetValue(mode),
                Host = parse.GetValue(host),
                Port = parse.GetValue(port),
                ProxyOnly = parse.GetValue(proxyOnly),
                ConfigFile = parse.GetValue(config),
                Debug = parse.GetValue(debug),
            };
            return await ProxyRunner.RunAsync(settings, claudeArguments, cancellationToken).ConfigureAwait(false);
        });

        var pluginsCommand = new Command("plugins", "List the plugins (what loaded: versions, paths, backend kinds, transforms; what failed, and why) and the request pipeline of each backend")
        {
            plugins, scripts, config,
        };
        pluginsCommand.SetAction(parse => PluginsCommand.Run(
            new CommandLineSettings { PluginsDirectory = parse.GetValue(plugins), ScriptsDirectory = parse.GetValue(scripts), ConfigFile = parse.GetValue(config) },
            ProxyRunner.EnvironmentVariables(),
            Console.Out));
        root.Subcommands.Add(pluginsCommand);
        ControlCommandLine.Add(root);

        var doctor = new Command("doctor", "Check each configured backend (reachable, model, tool calling, context window, prefix cache), Claude Code, the port and the folders, and say what to fix; exit 0 only when the default backend is usable. Claude Code's own doctor: anyclaude -- doctor")
        {
            plugins, scripts, mode, config,
        };
        doctor.SetAction((parse, cancellationToken) => Doctor.DoctorCommand.RunAsync(
            new CommandLineSettings { PluginsDirectory = parse.GetValue(plugins), ScriptsDirectory = parse.GetValue(scripts), Mode = parse.GetValue(mode), ConfigFile = parse.GetValue(config) },
            ProxyRunner.EnvironmentVariables(),
            Directory.GetCurrentDirectory(),
            Console.Out,
            cancellationToken));
        root.Subcommands.Add(doctor);

        // Signals are handled by the proxy (proxy-only) or left to claude (launcher), never by the parser.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await root.Parse(own).InvokeAsync(invocation).ConfigureAwait(false);
    }
}
