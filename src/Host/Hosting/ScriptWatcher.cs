using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Scripting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Hosting;

/// <summary>
/// Watches the script folders' <c>*.csx</c> files and, a moment after the last change (editors write in several
/// steps), loads the scripts again (the compile cache makes unchanged ones cheap) and rebuilds the request pipelines
/// with them (<see cref="RequestPipelines.TryReplaceScripts"/>). When a script does not compile, or a backend's
/// <c>transforms</c> names a script that is gone, that is logged and the previous scripts keep serving. A folder that
/// does not exist when the proxy starts is not watched.
/// </summary>
internal sealed partial class ScriptWatcher : IDisposable
{
    public static readonly TimeSpan DefaultSettleTime = SettledFileWatcher.DefaultSettleTime;

    private readonly IReadOnlyList<string> _directories;
    private readonly string _cacheDirectory;
    private readonly RequestPipelines _pipelines;
    private readonly Func<AnyClaudeOptions> _options;
    private readonly ILogger _logger;
    private readonly SettledFileWatcher _watcher;
    private readonly Lock _reloading = new();

    public ScriptWatcher(IReadOnlyList<string> directories, string cacheDirectory, RequestPipelines pipelines, Func<AnyClaudeOptions> options, ILogger logger, TimeSpan? settleTime = null)
    {
        _directories = directories;
        _cacheDirectory = cacheDirectory;
        _pipelines = pipelines;
        _options = options;
        _logger = logger;
        _watcher = new SettledFileWatcher(directories.Select(directory => (directory, "*.csx")), Reload, settleTime);
    }

    /// <summary>Watches the running proxy's script folders.</summary>
    public static ScriptWatcher ForProxy(WebApplication app, AnyClaudeOptions options)
    {
        var reloader = app.Services.GetRequiredService<ConfigurationReloader>();
        return new ScriptWatcher(
            options.ScriptDirectories,
            options.ScriptCacheDirectory,
            app.Services.GetRequiredService<RequestPipelines>(),
            () => reloader.Applied,
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AnyClaude.Scripts"));
    }

    private void Reload()
    {
        lock (_reloading)
        {
            ScriptSet scripts;
            try
            {
                scripts = ScriptLoader.Load(_directories, _cacheDirectory);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A file still being written or gone for a moment: the next change event tries again.
                LogUnreadable(_logger, exception.Message);
                return;
            }

            foreach (string warning in scripts.Warnings)
            {
                LogWarning(_logger, warning);
            }

            if (scripts.Errors.Count > 0)
            {
                LogRejected(_logger, string.Join(Environment.NewLine, scripts.Errors));
                return;
            }

            if (!_pipelines.TryReplaceScripts(scripts, _options(), out var problems))
            {
                LogRejected(_logger, string.Join(Environment.NewLine, problems));
                return;
            }

            LogApplied(_logger, scripts.Scripts.Count, string.Join(", ", scripts.Scripts.Select(s => s.Name)));
        }
    }

    public void Dispose() => _watcher.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "scripts changed but not applied, the previous scripts keep running:\n{Errors}")]
    private static partial void LogRejected(ILogger logger, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "scripts reloaded: {Count} ({Names})")]
    private static partial void LogApplied(ILogger logger, int count, string names);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogWarning(ILogger logger, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scripts changed but could not be read ({Reason}); the previous scripts keep running")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
