using System.CommandLine;
using AnyClaude.Host.Cli.Doctor;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude [--plugins DIR] [--scripts DIR] [--mode NAME] [--host ADDRESS] [--port N] [--proxy-only] [--config FILE] [--debug N] [--] [claude arguments]</c>,
/// or one of anyclaude's commands (<c>plugins</c>, <c>mode</c>, <c>status</c>, <c>ui</c>, <c>statusline</c>, <c>doctor</c>, <c>init</c>).
/// This is the one place the commands and options are declared; <see cref="ArgumentSplitter"/> reads them from here.
/// </summary>
internal static class AnyClaudeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string[] claudeArguments = [];
        var root = Build(() => claudeArguments);
        (string[] own, claudeArguments) = ArgumentSplitter.Split(args, root);
        var parse = root.Parse(own);
        if (parse.Errors.Count > 0)
        {
            // One line per mistake and exit 2, as for the same mistake in a configuration file or variable: no help page.
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"anyclaude: {error.Message}");
            }

            return 2;
        }

        // Signals are handled by the proxy (proxy-only) or left to claude (launcher), never by the parser.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>The whole command line: the launcher's options and action, and every command.</summary>
    public static RootCommand Build(Func<IReadOnlyList<string>> claudeArguments)
    {
        var plugins = new Option<string?>("--plugins") { Description = "Folder of backend plugins (default: plugins/ beside the executable, plus ~/.anyclaude/plugins)" };
        var scripts = new Option<string?>("--scripts") { Description = "Folder of .csx request scripts, run in file-name order (default: scripts/ beside the executable, plus ~/.anyclaude/scripts)" };
        var mode = new Option<string?>("--mode") { Description = "Backend to use: mlx-lm, lmstudio, openai or any configured name (ANYCLAUDE_MODE; else the last `anyclaude mode`)" };
        var host = new Option<string?>("--host") { Description = "Address to listen on (ANYCLAUDE_HOST, default 127.0.0.1); any other than loopback needs an access key (ANYCLAUDE_API_KEY)" };
        var port = WholeNumberOption.Create("--port", $"Port to listen on (ANYCLAUDE_PORT, default {AnyClaudeOptions.DefaultPort})", 0, 65535);
        var proxyOnly = new Option<bool>("--proxy-only") { Description = "Serve without launching Claude Code, and print the variables to point it here (PROXY_ONLY=true)" };
        var config = new Option<string?>("--config") { Description = "A JSON configuration file, above ~/.anyclaude/config.json and ./anyclaude.json" };
        var debug = WholeNumberOption.Create("--debug", "0 off, 1 a line per request, 2 summaries, 3 full traces to files (ANYCLAUDE_DEBUG)", 0, 3);

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
            return await ProxyRunner.RunAsync(settings, claudeArguments(), cancellationToken).ConfigureAwait(false);
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
        doctor.SetAction((parse, cancellationToken) => DoctorCommand.RunAsync(
            new CommandLineSettings { PluginsDirectory = parse.GetValue(plugins), ScriptsDirectory = parse.GetValue(scripts), Mode = parse.GetValue(mode), ConfigFile = parse.GetValue(config) },
            ProxyRunner.EnvironmentVariables(),
            Directory.GetCurrentDirectory(),
            Console.Out,
            cancellationToken));
        root.Subcommands.Add(doctor);

        var yes = new Option<bool>("--yes", "-y") { Description = "Write the configuration without asking (an existing file is still replaced only when you answer yes)" };
        var here = new Option<bool>("--here") { Description = "Write ./anyclaude.json (this folder) instead of ~/.anyclaude/config.json" };
        var probe = new Option<string[]>("--probe") { Description = "Look on this port instead of the usual ones: KIND=PORT (e.g. llama-cpp=9090); repeatable" };
        var init = new Command("init", "Find the model servers running on this machine's usual ports, show their models, and write a configuration for them once you confirm")
        {
            yes, here, probe, plugins,
        };
        init.SetAction(async (parse, cancellationToken) =>
        {
            using var pluginManager = new PluginManager(PluginManager.DirectoriesFor(parse.GetValue(plugins), ConfigurationLoader.UserDirectory));
            return await InitCommand.RunAsync(
                new InitCommand.Settings(parse.GetValue(yes), parse.GetValue(here), parse.GetValue(probe) ?? []),
                pluginManager.Reload().BackendFactories,
                Directory.GetCurrentDirectory(),
                Console.In,
                Console.Out,
                Console.Error,
                cancellationToken).ConfigureAwait(false);
        });
        root.Subcommands.Add(init);
        return root;
    }
}
