using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Diagnostics;
using AnyClaude.Host.Plugins;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

namespace AnyClaude.Host.Cli;

/// <summary>Loads plugins and configuration, starts the proxy and serves until Ctrl+C.</summary>
internal static class ProxyRunner
{
    public static async Task<int> RunAsync(CommandLineSettings commandLine, CancellationToken cancellationToken)
    {
        var environment = Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value, StringComparer.Ordinal);

        var pluginResult = PluginLoader.LoadFrom(PluginDirectories(commandLine));
        var factories = BackendFactories.From(pluginResult.Plugins.Select(p => p.Plugin));
        var loaded = ConfigurationLoader.Load(commandLine, factories, environment, Directory.GetCurrentDirectory());
        if (loaded.Options is not { } options)
        {
            foreach (var error in loaded.Errors)
            {
                Console.Error.WriteLine($"anyclaude: {error}");
            }

            return 2;
        }

        using var logger = Logging.CreateSerilogLogger(options.Debug);
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddSerilog(logger));
        PluginLoader.Report(pluginResult, loggerFactory.CreateLogger("AnyClaude.Plugins"));

        await using var app = ProxyApp.Build(options, factories, logging => logging.AddSerilog(logger));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception)
        {
            Console.Error.WriteLine($"anyclaude: cannot listen on {options.Host}:{options.Port}: {exception.Message} (choose another with --port or ANYCLAUDE_PORT)");
            return 1;
        }

        var address = ProxyApp.ListeningAddress(app);
        var backend = app.Services.GetRequiredService<BackendRegistry>().Selected;
        Console.Error.WriteLine($"anyclaude {typeof(ProxyRunner).Assembly.GetName().Version} serving on {address} -> backend '{backend.Name}' at {backend.BaseUrl}");
        if (!commandLine.ProxyOnly && !IsTrue(environment.GetValueOrDefault("PROXY_ONLY")))
        {
            Console.Error.WriteLine("anyclaude: launching Claude Code is not built yet; serving as --proxy-only.");
        }

        Console.Error.WriteLine("Point Claude Code at it from another terminal:");
        Console.Out.WriteLine($"export ANTHROPIC_BASE_URL={address.GetLeftPart(UriPartial.Authority)}");
        Console.Out.WriteLine("export ANTHROPIC_AUTH_TOKEN=anyclaude");
        Console.Out.Flush();

        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    private static IEnumerable<string> PluginDirectories(CommandLineSettings commandLine) =>
        commandLine.PluginsDirectory is { } directory
            ? [Path.GetFullPath(directory)]
            : [Path.Combine(AppContext.BaseDirectory, "plugins"), Path.Combine(ConfigurationLoader.UserDirectory, "plugins")];

    private static bool IsTrue(string? value) => value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));
}
