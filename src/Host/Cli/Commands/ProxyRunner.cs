using AnyClaude.Host.Backends;
using AnyClaude.Host.Cli.Launcher;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Diagnostics;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Proxy.ContextWindows;
using AnyClaude.Host.Scripting;
using AnyClaude.Host.Servers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>Loads plugins and configuration, starts the proxy, then runs claude through it (or serves until Ctrl+C).</summary>
internal static class ProxyRunner
{
    /// <summary>What claude sends when no access key is configured (the proxy then checks none).</summary>
    private const string DefaultAuthToken = "anyclaude";

    /// <summary>The token claude is given: the configured access key, or a placeholder when there is none.</summary>
    public static string ClientToken(AnyClaudeOptions options) => string.IsNullOrEmpty(options.ApiKey) ? DefaultAuthToken : options.ApiKey;

    public static async Task<int> RunAsync(CommandLineSettings commandLine, IReadOnlyList<string> claudeArguments, CancellationToken cancellationToken)
    {
        var environment = EnvironmentVariables();

        using var plugins = new PluginManager(PluginManager.DirectoriesFor(commandLine.PluginsDirectory, ConfigurationLoader.UserDirectory));
        var factories = plugins.Reload().BackendFactories;
        var loaded = ConfigurationLoader.Load(commandLine, factories, environment, Directory.GetCurrentDirectory());
        var (remembered, modeNote) = ModeMemory.ForUser().Apply(commandLine, environment, loaded);
        if (remembered != commandLine)
        {
            // The remembered backend is a command-line choice from here on, so a configuration reload keeps it too.
            commandLine = remembered;
            loaded = ConfigurationLoader.Load(commandLine, factories, environment, Directory.GetCurrentDirectory());
        }

        if (loaded.Options is not { } options)
        {
            foreach (var error in NoPluginsHint.Apply(loaded.Errors, loaded.ModeError, loaded.Mode, plugins.Directories, plugins.Current))
            {
                Console.Error.WriteLine($"anyclaude: {error}");
            }

            foreach (var failure in plugins.Current.Failures)
            {
                Console.Error.WriteLine($"anyclaude: plugin {failure.Path} was not loaded: {failure.Reason}");
            }

            return 2;
        }

        foreach (var warning in loaded.Warnings)
        {
            Console.Error.WriteLine($"anyclaude: warning: {warning}");
        }

        if (modeNote is not null)
        {
            Console.Error.WriteLine($"anyclaude: {modeNote}");
        }

        bool proxyOnly = commandLine.ProxyOnly || IsTrue(environment.GetValueOrDefault("PROXY_ONLY"));
        string? claude = null;
        if (!proxyOnly)
        {
            claude = ClaudeLocator.Find(options.ClaudePath, environment.GetValueOrDefault("PATH"));
            if (claude is null)
            {
                Console.Error.WriteLine($"anyclaude: {(options.ClaudePath is { } path ? $"claudePath '{path}' does not exist. " : "")}{ClaudeLocator.InstallHint}");
                return 127;
            }
        }

        string? logFile = proxyOnly ? null : Path.Combine(ConfigurationLoader.UserDirectory, "logs", "anyclaude-.log");
        Serilog.ILogger logger;
        try
        {
            logger = Logging.UseConfigured(options.Debug, logFile, loaded.Settings);
        }
        catch (InvalidDataException exception)
        {
            Console.Error.WriteLine($"anyclaude: configuration: {exception.Message}");
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(builder => builder.AddSerilog(logger));
        var pluginLogger = loggerFactory.CreateLogger("AnyClaude.Plugins");
        foreach (var directory in plugins.Directories.Select(d => d.Path).Concat(options.ScriptDirectories))
        {
            FolderPermissions.WarnIfWritableByOthers(directory, pluginLogger);
        }

        plugins.UseLogger(pluginLogger);
        plugins.StartWatching();

        // Scripts compile (or come from the cache) before the proxy listens; a script that does not compile is
        // reported as file(line,col): error CSxxxx: … and left out, and the proxy starts anyway.
        var scripts = ScriptLoader.Load(options.ScriptDirectories, options.ScriptCacheDirectory);
        foreach (var line in scripts.Errors)
        {
            Console.Error.WriteLine(line);
        }

        foreach (var warning in scripts.Warnings)
        {
            Console.Error.WriteLine($"anyclaude: {warning}");
        }

        if (TransformProblems(options, plugins.Current, scripts) is { Count: > 0 } transformErrors)
        {
            foreach (var error in transformErrors)
            {
                Console.Error.WriteLine($"anyclaude: {error}");
            }

            return 2;
        }

        var app = await StartProxyAsync(options, plugins, scripts, logger, proxyOnly, cancellationToken).ConfigureAwait(false);
        if (app is null)
        {
            return 2;
        }

        await using (app.ConfigureAwait(false))
        {
            // Start-up leaves megabytes of garbage (configuration, plugin loading, the container) in a heap the GC would
            // otherwise keep committed while the proxy waits for its first request: one full collection that gives it
            // back (3–4 MiB of resident memory, a few milliseconds once).
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            using var configurationWatcher = ConfigurationWatcher.ForProxy(app, commandLine, () => plugins.Current.BackendFactories, environment, Directory.GetCurrentDirectory());
            using var scriptWatcher = ScriptWatcher.ForProxy(app, options);
            var address = ProxyApp.ListeningAddress(app);
            if (address.Port != options.Port && options.Port != 0)
            {
                Console.Error.WriteLine($"anyclaude: port {options.Port} is taken; this session's proxy is on port {address.Port} (`anyclaude status`, `mode` and `ui` find it)");
            }

            // How `anyclaude status`, `mode` and `ui` without --port find this proxy (RunningSessions).
            using var session = RunningSessions.ForUser().Record(address.Port, Directory.GetCurrentDirectory());
            if (SelfPointingBackends.Report(options, address.Port, Console.Error))
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return 2;
            }

            if (address.Host is "0.0.0.0" or "[::]")
            {
                // Listening on every interface: claude, on this machine, connects over loopback.
                address = new UriBuilder(address) { Host = "127.0.0.1" }.Uri;
            }

            // A backend whose plugin is missing was warned about; the proxy serves on and its requests get the reason.
            var registry = app.Services.GetRequiredService<BackendRegistry>();
            var backend = registry.TrySelect(out string? problem);
            string target = backend is not null ? $"backend '{backend.Name}' at {backend.BaseUrl}" : $"backend '{options.Mode}' (not available: {problem})";
            string serving = $"anyclaude {typeof(ProxyRunner).Assembly.GetName().Version} serving on {address} -> {target}";
            // The model servers anyclaude starts (a backend's `start`): each said in one line, with its load progress
            // on this terminal until Claude Code takes it; requests that arrive meanwhile wait for their server.
            var servers = app.Services.GetRequiredService<ServerSupervisors>();
            app.Services.GetRequiredService<ServerAnnouncements>().Terminal = Console.Error;
            if (proxyOnly)
            {
                Console.Error.WriteLine(serving);
                Console.Error.WriteLine("Point Claude Code at it from another terminal:");
                Console.Out.WriteLine($"export ANTHROPIC_BASE_URL={address.GetLeftPart(UriPartial.Authority)}");
                Console.Out.WriteLine($"export ANTHROPIC_AUTH_TOKEN={ClientToken(options)}");
                Console.Out.Flush();
                _ = servers.StartAllAsync(cancellationToken);
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }

            _ = servers.StartAllAsync(cancellationToken);
            if (backend is not null && servers.For(backend.Name) is { } defaultServer)
            {
                // The default backend's server is waited for (its progress shown) before Claude Code starts.
                try
                {
                    await defaultServer.EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ServerStartException)
                {
                    // Said already, with the command and what it printed; its requests get the same message.
                }
            }

            logger.Information("{Serving}; launching {Claude}", serving, claude);
            if (options.Debug > 0)
            {
                // The log goes to a file while claude owns the terminal: say once where to look.
                string traces = options.Debug >= 3 ? $", one trace file per request in {options.TraceDirectory}" : "";
                Console.Error.WriteLine($"anyclaude: debug {options.Debug}: log in {logFile!.Replace("-.log", $"-{DateTime.Now:yyyyMMdd}.log", StringComparison.Ordinal)}{traces}");
            }

            int? window = null;
            if (backend is not null)
            {
                // Is its server up? Said in one line (with how to start it) before Claude Code takes the terminal.
                await BackendReadiness.CheckAsync(backend, app.Services.GetRequiredService<BackendProber>(), Console.Error, BackendReadiness.OnTerminal, TimeProvider.System, cancellationToken).ConfigureAwait(false);

                // The window Claude Code is told is the default backend's: asked at start-up, waited for here a few seconds at most.
                await app.Services.GetRequiredService<CapabilityDiscovery>().EnsureAsync(backend, cancellationToken).ConfigureAwait(false);
                (window, string? assumed) = AssumedWindow.For(backend.Name, registry.SettingsOf(backend.Name)?.Kind ?? "", backend.Capabilities.ContextLength);
                if (assumed is not null && string.IsNullOrEmpty(environment.GetValueOrDefault(ClaudeEnvironment.MaxContextTokens)))
                {
                    Console.Error.WriteLine($"anyclaude: {assumed}");
                }
            }

            if (backend is not null && window is { } known && ClaudeCodeRoom.TooSmall(backend.Name, known) is { } tooSmall)
            {
                Console.Error.WriteLine($"anyclaude: {tooSmall}");
            }

            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            var modelChoice = SessionModelChoice.For(options, SessionModelChoice.IsExplicit(commandLine, environment), home, Directory.GetCurrentDirectory(), environment);
            if (modelChoice.Note is { } note)
            {
                Console.Error.WriteLine($"anyclaude: {note}");
            }

            var changes = ClaudeEnvironment.Changes(
                address,
                ClientToken(options),
                backend?.Capabilities.MaxOutputTokens,
                environment,
                window,
                backend is null ? null : MainModelName.For(options, registry.SettingsOf(backend.Name)?.Model ?? backend.Capabilities.Model),
                modelChoice.SettingsChooseModel);
            var arguments = StatusLineSetting.Apply(
                claudeArguments,
                address.Port,
                StatusLineSetting.SelfCommand(),
                home,
                Directory.GetCurrentDirectory(),
                environment);
            app.Services.GetRequiredService<ServerAnnouncements>().Terminal = null;
            int exitCode = await ClaudeProcess.RunAsync(claude!, arguments, changes).ConfigureAwait(false);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return exitCode;
        }
    }

    /// <summary>Unknown names in the backends' <c>transforms</c> lists, one line each.</summary>
    private static IReadOnlyList<string> TransformProblems(AnyClaudeOptions options, PluginCatalog plugins, ScriptSet scripts) =>
        [.. new TransformCatalog(plugins.RequestTransforms, scripts).Validate(options), .. ResponseCatalog.For(plugins).Validate(options)];

    /// <summary>Starts on the configured port; when launching claude and that port is taken, on a free one instead.</summary>
    /// <remarks>
    /// The transform catalog is made inside the call, never kept in a variable of the long-running caller: after a
    /// plugin reload nothing may hold the old plugin's transforms.
    /// </remarks>
    private static async Task<WebApplication?> StartProxyAsync(
        AnyClaudeOptions options,
        IPluginCatalogSource plugins,
        ScriptSet scripts,
        Serilog.ILogger logger,
        bool proxyOnly,
        CancellationToken cancellationToken)
    {
        var app = ProxyApp.Build(
            options,
            plugins,
            // A port that is taken is reported below in one line; the host's own error log of it is a stack trace.
            // (AddSerilog adds a rule of its provider's own, which outranks any rule without one, so this one names it too.)
            logging => logging.AddProxyLogger(logger).AddFilter<Serilog.Extensions.Logging.SerilogLoggerProvider>("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical),
            stopOnCtrlC: proxyOnly,
            transforms: new TransformCatalog(plugins.Current.RequestTransforms, scripts));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return app;
        }
        catch (IOException exception)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            if (proxyOnly || options.Port == 0)
            {
                Console.Error.WriteLine($"anyclaude: cannot listen on {options.Host}:{options.Port}: {exception.Message} (choose another port with --port or ANYCLAUDE_PORT)");
                return null;
            }

            logger.Information("port {Port} is taken ({Reason}); listening on a free port instead", options.Port, exception.Message);
            return await StartProxyAsync(options with { Port = 0 }, plugins, scripts, logger, proxyOnly, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsTrue(string? value) => value is not null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    public static Dictionary<string, string?> EnvironmentVariables() =>
        Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value, StringComparer.Ordinal);
}
