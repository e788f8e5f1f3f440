using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Hosting;

/// <summary>
/// Watches the configuration files (<c>~/.anyclaude/config.json</c>, <c>./anyclaude.json</c>, the <c>--config</c> file)
/// and, a moment after the last change (editors write in several steps), loads the configuration again and hands it
/// to <see cref="ConfigurationReloader"/>. A folder that does not exist is not watched.
/// </summary>
internal sealed partial class ConfigurationWatcher : IDisposable
{
    public static readonly TimeSpan DefaultSettleTime = SettledFileWatcher.DefaultSettleTime;

    private readonly Func<ConfigurationResult> _load;
    private readonly ConfigurationReloader _reloader;
    private readonly ILogger _logger;
    private readonly SettledFileWatcher _watcher;

    public ConfigurationWatcher(IEnumerable<string> files, Func<ConfigurationResult> load, ConfigurationReloader reloader, ILogger logger, TimeSpan? settleTime = null)
    {
        _load = load;
        _reloader = reloader;
        _logger = logger;
        _watcher = new SettledFileWatcher(
            files.Select(Path.GetFullPath).Select(file => (Path.GetDirectoryName(file)!, Path.GetFileName(file))),
            Reload,
            settleTime);
    }

    /// <summary>The files <see cref="ConfigurationLoader"/> reads for this command line and folder.</summary>
    public static IReadOnlyList<string> FilesFor(CommandLineSettings commandLine, string workingDirectory) =>
        [
            Path.Combine(ConfigurationLoader.UserDirectory, "config.json"),
            Path.Combine(workingDirectory, "anyclaude.json"),
            .. commandLine.ConfigFile is { } file ? [Path.GetFullPath(file, workingDirectory)] : Array.Empty<string>(),
        ];

    /// <summary>Watches the running proxy's configuration files and applies each valid edit to it.</summary>
    public static ConfigurationWatcher ForProxy(
        WebApplication app,
        CommandLineSettings commandLine,
        Func<IReadOnlyCollection<IBackendFactory>> factories,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory) =>
        new(
            FilesFor(commandLine, workingDirectory),
            () => ConfigurationLoader.Load(commandLine, factories(), environment, workingDirectory),
            app.Services.GetRequiredService<ConfigurationReloader>(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AnyClaude.Configuration"));

    private void Reload()
    {
        try
        {
            _reloader.Apply(_load());
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The file is still being written or went away for a moment: the next change event tries again.
            LogUnreadable(_logger, exception.Message);
        }
    }

    public void Dispose() => _watcher.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "configuration change not read ({Reason}); the running configuration stays")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
