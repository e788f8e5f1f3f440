using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Proxy.Routing;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Hosting;

/// <summary>
/// Applies a reloaded configuration to the running proxy: backends as a diff (<see cref="BackendRegistry.Reconfigure"/>),
/// then the routes and fallbacks; <c>mode</c> only when the file's <c>mode</c> changed (a switch made with
/// <c>anyclaude mode</c> survives edits of other settings). An invalid configuration is logged with its reasons and
/// the running one stays. Settings other than backends, routes and mode (port, host, limits) apply at the next start.
/// </summary>
internal sealed partial class ConfigurationReloader(AnyClaudeOptions initial, BackendRegistry backends, RequestPipelines pipelines, LiveRouting routing, ILogger<ConfigurationReloader> logger)
{
    private readonly Lock _gate = new();
    private AnyClaudeOptions _applied = initial;

    /// <summary>The configuration the proxy runs with now (the start-up one, or the last reload applied).</summary>
    public AnyClaudeOptions Applied
    {
        get
        {
            lock (_gate)
            {
                return _applied;
            }
        }
    }

    public bool Apply(ConfigurationResult result)
    {
        if (result.Options is not { } next)
        {
            LogRejected(logger, string.Join("; ", result.Errors));
            return false;
        }

        if (pipelines.Catalog.Validate(next) is { Count: > 0 } transformErrors)
        {
            LogRejected(logger, string.Join("; ", transformErrors));
            return false;
        }

        lock (_gate)
        {
            var changes = backends.Reconfigure(next);
            var live = routing.Current;
            bool keepLiveMode = string.Equals(next.Mode, _applied.Mode, StringComparison.OrdinalIgnoreCase) && next.Backends.ContainsKey(live.Mode);
            var table = LiveRouting.TableOf(next) with { Mode = keepLiveMode ? live.Mode : next.Mode };
            routing.Replace(table);
            _applied = next;
            LogApplied(logger, changes.Any ? changes.ToString() : "none", table.Routes.Count, table.Mode);
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "configuration change not applied, the running configuration stays: {Errors}")]
    private static partial void LogRejected(ILogger logger, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "configuration reloaded: backends {Changes}; {Routes} routes; default backend '{Mode}'")]
    private static partial void LogApplied(ILogger logger, string changes, int routes, string mode);
}
