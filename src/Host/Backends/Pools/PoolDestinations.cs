namespace AnyClaude.Host.Backends.Pools;

/// <summary>
/// The replicas of one pooled backend and where each conversation's prefix lives. A conversation stays on its
/// destination (affinity) unless that one is down or has <see cref="RebalanceThreshold"/> more requests in flight
/// than the least loaded (SGLang's router balances the same way, with its own thresholds); a new conversation goes
/// to the least loaded healthy destination, ties broken by fewer conversations held. A failed destination is taken
/// out for a back-off that doubles per failure (2 s up to 60 s).
/// </summary>
internal sealed class PoolDestinations
{
    /// <summary>Requests in flight beyond the least loaded destination's at which a conversation moves.</summary>
    public const int RebalanceThreshold = 2;

    private const int RememberedConversations = 4096;
    private static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, PoolDestination> _affinity = new(StringComparer.Ordinal);
    private readonly Queue<string> _assignedOrder = new();

    public PoolDestinations(IReadOnlyList<PoolDestination> destinations, TimeProvider time)
    {
        Destinations = destinations;
        _time = time;
    }

    public IReadOnlyList<PoolDestination> Destinations { get; }

    /// <summary>The destination for the next attempt of a request, and why; null when every destination was tried.</summary>
    public (PoolDestination? Destination, string Placement) Choose(string? conversationKey, IReadOnlySet<PoolDestination> tried)
    {
        lock (_gate)
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
            if (conversationKey is not null && _affinity.TryGetValue(conversationKey, out var held))
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
        lock (_gate)
        {
            if (_affinity.TryGetValue(conversationKey, out var previous))
            {
                if (ReferenceEquals(previous, destination))
                {
                    return;
                }

                previous.Conversations--;
            }
            else
            {
                _assignedOrder.Enqueue(conversationKey);
            }

            _affinity[conversationKey] = destination;
            destination.Conversations++;
            while (_assignedOrder.Count > RememberedConversations && _assignedOrder.TryDequeue(out var oldest))
            {
                if (_affinity.Remove(oldest, out var owner))
                {
                    owner.Conversations--;
                }
            }
        }
    }

    public void MarkFailed(PoolDestination destination, string reason)
    {
        lock (_gate)
        {
            destination.Failures++;
            double seconds = Math.Min(MaxBackOff.TotalSeconds, FirstBackOff.TotalSeconds * Math.Pow(2, destination.Failures - 1));
            destination.RetryAt = _time.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            destination.LastError = reason;
        }
    }

    public void MarkSucceeded(PoolDestination destination)
    {
        lock (_gate)
        {
            destination.Failures = 0;
            destination.RetryAt = DateTimeOffset.MinValue;
        }
    }
}

/// <summary>One replica: its backend instance (built by the plugin for its URL) and its live state.</summary>
internal sealed class PoolDestination(int index, Abstractions.Backends.IBackend backend)
{
    private int _inFlight;

    public int Index { get; } = index;

    public Abstractions.Backends.IBackend Backend { get; } = backend;

    public Uri Url => Backend.BaseUrl;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Conversations whose prefix this destination holds (guarded by the pool's lock).</summary>
    public int Conversations { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset RetryAt { get; set; } = DateTimeOffset.MinValue;

    public string? LastError { get; set; }

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished() => Interlocked.Decrement(ref _inFlight);
}
