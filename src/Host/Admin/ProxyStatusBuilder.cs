using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Cache;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Proxy.Telemetry;
using AnyClaude.Host.Servers;

namespace AnyClaude.Host.Admin;

/// <summary>Reads the proxy's state into one <see cref="ProxyStatus"/>: <c>/admin/status</c>'s answer and the dashboard's live feed.</summary>
internal sealed class ProxyStatusBuilder(
    BackendRegistry backends,
    LiveRouting routing,
    BackendHealthTracker health,
    BackendQueues queues,
    RecentRequests recent,
    RequestStatistics statistics,
    ConversationCaches conversations,
    Prewarmer prewarmer,
    ServerSupervisors servers)
{
    public ProxyStatus Build()
    {
        var table = routing.Current;
        return new ProxyStatus
        {
            Mode = table.Mode,
            Routes = [.. table.Routes.Select(route => route.ToString())],
            Backends = [.. table.BackendNames.Select(name => Backend(name, table))],
            Recent = [.. recent.Snapshot().Select(Recent)],
            Conversations = [.. conversations.Snapshot().Select(Conversation)],
            Servers = [.. servers.Statuses.Select(Server)],
        };
    }

    public void Write(Utf8JsonWriter json) => JsonSerializer.Serialize(json, Build(), StatusJson.Default.ProxyStatus);

    private BackendStatus Backend(string name, RoutingTable table)
    {
        var state = health.Snapshot(name);
        var settings = backends.SettingsOf(name);
        var queue = queues.Snapshot(name);
        var (window, source) = ContextLengthOf(name, settings);
        var warm = prewarmer.WarmOf(name);
        return new BackendStatus
        {
            Name = name,
            Kind = settings?.Kind,
            Url = settings?.Url.ToString(),
            Healthy = state.Healthy,
            Health = state.HealthText,
            InFlight = state.InFlight,
            Queued = queue.Waiting,
            MaxInFlight = queue.Limit,
            Failures = state.Failures,
            Destinations = backends.All.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase)) is PooledBackend pool
                ? [.. pool.Snapshot().Select(Destination)]
                : null,
            RetryAt = state.RetryAt,
            LastError = state.LastError,
            Fallback = [.. table.FallbacksOf(name)],
            ContextLength = window,
            ContextLengthSource = window is null || source == ContextLengthSource.Unknown ? null : SourceName(source),
            Figures = Figures(statistics.FiguresOf(name)),
            Warm = warm.Count > 0 ? warm.ToDictionary(k => k.Kind, k => k.Tokens) : null,
        };
    }

    private static DestinationStatus Destination(PoolDestinationStatus destination) => new()
    {
        Url = destination.Url.ToString(),
        Healthy = destination.Healthy,
        Health = HealthTexts.Of(destination.Health),
        InFlight = destination.InFlight,
        Conversations = destination.Conversations,
        Failures = destination.Failures,
        RetryAt = destination.RetryAt,
        LastError = destination.LastError,
    };

    private static BackendFiguresStatus Figures(BackendFigures figures) => new()
    {
        Requests = figures.Requests,
        Errors = figures.Errors,
        TtftP50 = Rounded(figures.TtftP50),
        TtftP95 = Rounded(figures.TtftP95),
        TokensPerSecond = Rounded(figures.TokensPerSecondP50),
        CachedShare = Rounded(figures.CachedShare),
        Last = figures.Last is { } last
            ? new LastRequestStatus
            {
                At = last.At,
                PromptTokens = last.PromptTokens,
                CachedTokens = last.CachedTokens,
                OutputTokens = last.OutputTokens,
                CachedShare = Rounded(last.CachedShare),
                TokensPerSecond = Rounded(last.TokensPerSecond > 0 ? last.TokensPerSecond : null),
                TtftSeconds = Rounded(last.TtftSeconds),
            }
            : null,
    };

    private static RecentRequestStatus Recent(RecentRequest item) => new()
    {
        At = item.At,
        Backend = item.Backend,
        Model = item.Model,
        Class = item.Class,
        Status = item.Status,
        TtftSeconds = Rounded(item.TtftSeconds),
        CachedShare = Rounded(item.CachedShare),
        PromptTokens = item.PromptTokens,
        CachedTokens = item.CachedTokens,
        Strategy = item.Strategy,
        Conversation = item.Conversation,
    };

    private static ConversationStatus Conversation(ConversationCache conversation) => new()
    {
        Key = conversation.Key,
        Backend = conversation.Backend,
        Requests = conversation.Requests,
        PromptTokens = conversation.PromptTokens,
        CachedTokens = conversation.CachedTokens,
        CachedShare = Rounded(conversation.CachedShare),
    };

    private static ModelServerStatus Server(ServerStatus server) => new()
    {
        Backend = server.Backend,
        Command = server.Command,
        State = server.StateName,
        StartedByAnyClaude = server.StartedByAnyClaude,
        ProcessId = server.ProcessId,
        UptimeSeconds = Rounded(server.Uptime?.TotalSeconds),
        Restarts = server.Restarts,
        Message = server.Message,
    };

    /// <summary>
    /// The configured window, else the backend's (reported by its server, or its kind's default: never shown as
    /// reported); null for a backend that cannot be built.
    /// </summary>
    private (int? Window, ContextLengthSource Source) ContextLengthOf(string name, BackendOptions? settings)
    {
        if (settings?.ContextLength is { } configured)
        {
            return (configured, ContextLengthSource.Configured);
        }

        try
        {
            var capabilities = backends.Get(name).Capabilities;
            return (capabilities.ContextLength, capabilities.ContextLengthSource);
        }
        catch (AnthropicException)
        {
            return (null, ContextLengthSource.Unknown);
        }
    }

    /// <summary><c>contextLengthSource</c>: <c>configured</c>, <c>reported</c> (by the server) or <c>default</c> (the kind's).</summary>
    public static string SourceName(ContextLengthSource source) => source switch
    {
        ContextLengthSource.Configured => "configured",
        ContextLengthSource.Reported => "reported",
        ContextLengthSource.Default => "default",
        _ => "unknown",
    };

    /// <summary>Rounded to microseconds (times are seconds): a local time to first token is often under a millisecond.</summary>
    private static double? Rounded(double? value) => value is { } number ? Math.Round(number, 6) : null;
}
