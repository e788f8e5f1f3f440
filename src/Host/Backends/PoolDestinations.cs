namespace AnyClaude.Host.Backends;

/// <summary>
/// The replicas of one pooled backend and where each conversation's prefix lives. A conversation stays on its
/// destination (affinity) unless that one is down or has <see cref="RebalanceThreshold"/> more requests in flight
/// than the least loaded (SGLang's router balances the same way, with its own thresholds); a new conversation goes
/// to the least loaded healthy destination, ties broken by fewer conversations held. A failed destination is taken
/// out for a back-off that doubles per failure (2 s up to 60 s). The state behind it (<see cref="PoolState"/>)
/// outlives this instance across reloads.
/// </summary>
internal sealed class PoolDestinations
{
    /// <summary>Requests in flight beyond the least loaded destination's at which a conversation moves.</summary>
    public const int RebalanceThreshold = 2;

    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(60);

    private readonly PoolState _state;
    private readonly TimeProvider _time;

    public PoolDestinations(IReadOnlyList<PoolDestination> destinations, PoolState state, TimeProvider time)
    {
        Destinations = destinations;
        _state = state;
        _time = time;
    }

    public IReadOnlyList<PoolDestination> Destinations { get; }

    /// <summary>The destination for the next attempt of a request, and why; null when every destination was tried.</summary>
    public (PoolDestination? Destination, string Placement) Choose(string? conversationKey, IReadOnlySet<PoolDestination> tried)
    {
        lock (_state.Gate)
        {
            var now = _time.GetUtcNow();
            var untried = Destinations.Where(d => !tried.Contains(d)).ToList();
            if (untried.Count == 0)
            {
                return (null, "");
            }

            var healthy = untried.Where(d => d.RetryAt <= now).ToList();
            if (healthy.Count == 0)
            {
                // All down: try the one that comes back first rather than fail without trying.
                return (untried.MinBy(d => d.RetryAt), tried.Count == 0 ? "all-down" : "failover");
            }

            var leastLoaded = healthy.OrderBy(d => d.InFlight).ThenBy(d => d.Conversations).ThenBy(d => d.Index).First();
            if (conversationKey is not null && _state.HolderOf(conversationKey) is { } holder
                && Destinations.FirstOrDefault(d => ReferenceEquals(d.State, holder)) is { } held)
            {
                if (healthy.Contains(held) && held.InFlight - leastLoaded.InFlight < RebalanceThreshold)
                {
                    return (held, "affinity");
                }

                return (leastLoaded, tried.Count > 0 || !healthy.Contains(held) ? "failover" : "rebalanced");
            }

            return (leastLoaded, tried.Count > 0 ? "failover" : "least-loaded");
        }
    }

    /// <summary>The conversation's prefix now lives on <paramref name="destination"/>.</summary>
    public void Assign(string conversationKey, PoolDestination destination)
    {
        lock (_state.Gate)
        {
            _state.Assign(conversationKey, destination.State);
        }
    }

    public void MarkFailed(PoolDestination destination, string reason)
    {
        lock (_state.Gate)
        {
            var state = destination.State;
            state.Failures++;
            double seconds = Math.Min(MaxBackOff.TotalSeconds, FirstBackOff.TotalSeconds * Math.Pow(2, state.Failures - 1));
            state.RetryAt = _time.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            state.LastError = reason;
            state.Known = true;
        }
    }

    public void MarkSucceeded(PoolDestination destination)
    {
        lock (_state.Gate)
        {
            destination.State.Failures = 0;
            destination.State.RetryAt = DateTimeOffset.MinValue;
            destination.State.Known = true;
            destination.State.ProbedDown = false;
        }
    }

    /// <summary>A background health check's answer: shown in status, never a back-off (requests decide that).</summary>
    public void MarkProbed(PoolDestination destination, Abstractions.Backends.BackendHealth health)
    {
        lock (_state.Gate)
        {
            destination.State.Known = true;
            destination.State.ProbedDown = !health.IsHealthy;
            if (!health.IsHealthy)
            {
                destination.State.LastError = health.Description;
            }
        }
    }

    /// <summary>Each destination as it is now, for status.</summary>
    public IReadOnlyList<PoolDestinationStatus> Snapshot()
    {
        lock (_state.Gate)
        {
            var now = _time.GetUtcNow();
            return [.. Destinations.Select(d => new PoolDestinationStatus(
                d.Url,
                !d.State.Known ? BackendHealthState.Unknown : d.Failures > 0 || d.State.ProbedDown ? BackendHealthState.Down : BackendHealthState.Up,
                d.InFlight,
                d.Conversations,
                d.Failures,
                d.RetryAt > now ? d.RetryAt : null,
                d.LastError))];
        }
    }
}

/// <summary>One replica: its backend instance (built by the plugin for its URL) and its URL's live state.</summary>
internal sealed class PoolDestination(int index, Abstractions.Backends.IBackend backend, DestinationState state)
{
    public int Index { get; } = index;

    public Abstractions.Backends.IBackend Backend { get; } = backend;

    public DestinationState State { get; } = state;

    public Uri Url => Backend.BaseUrl;

    public int InFlight => State.InFlight;

    public int Conversations => State.Conversations;

    public int Failures => State.Failures;

    public DateTimeOffset RetryAt => State.RetryAt;

    public string? LastError => State.LastError;

    public void Started() => State.Started();

    public void Finished() => State.Finished();
}

/// <summary>A destination as status shows it: <see cref="RetryAt"/> is set while it is backed off.</summary>
internal sealed record PoolDestinationStatus(Uri Url, BackendHealthState Health, int InFlight, int Conversations, int Failures, DateTimeOffset? RetryAt, string? LastError)
{
    /// <summary>Known to be up; unknown is not healthy.</summary>
    public bool Healthy => Health == BackendHealthState.Up;
}
