namespace AnyClaude.Host.Backends;

/// <summary>
/// What a pool knows about its destinations, keyed by URL: each one's health and load and which conversation's prefix
/// it holds. It belongs to the backend's name, not to one backend instance, so a configuration or plugin reload that
/// recreates the backend keeps it for the URLs that remain (<see cref="Retain"/>); an instance replaced by a reload
/// shares it with its successor while its last streams finish, so their load and failures still count.
/// </summary>
internal sealed class PoolState
{
    private const int RememberedConversations = 4096;

    private readonly Dictionary<Uri, DestinationState> _byUrl = [];
    private readonly Dictionary<string, DestinationState> _affinity = new(StringComparer.Ordinal);
    private readonly Queue<string> _assignedOrder = new();

    /// <summary>Guards everything here but <see cref="DestinationState.InFlight"/>.</summary>
    public Lock Gate { get; } = new();

    /// <summary>The state of <paramref name="url"/>: the one carried over, or a fresh one.</summary>
    public DestinationState For(Uri url)
    {
        lock (Gate)
        {
            if (!_byUrl.TryGetValue(url, out var state))
            {
                state = new DestinationState();
                _byUrl[url] = state;
            }

            return state;
        }
    }

    /// <summary>Forgets the destinations not in <paramref name="urls"/> and the conversations they held.</summary>
    public void Retain(IReadOnlyCollection<Uri> urls)
    {
        lock (Gate)
        {
            foreach (var url in _byUrl.Keys.Where(u => !urls.Contains(u)).ToList())
            {
                var removed = _byUrl[url];
                _byUrl.Remove(url);
                foreach (string key in _affinity.Where(a => ReferenceEquals(a.Value, removed)).Select(a => a.Key).ToList())
                {
                    _affinity.Remove(key);
                }
            }

            var order = _assignedOrder.Where(_affinity.ContainsKey).ToList();
            _assignedOrder.Clear();
            foreach (string key in order)
            {
                _assignedOrder.Enqueue(key);
            }
        }
    }

    /// <summary>Where the conversation's prefix lives (caller holds <see cref="Gate"/>).</summary>
    public DestinationState? HolderOf(string conversationKey) => _affinity.GetValueOrDefault(conversationKey);

    /// <summary>The conversation's prefix now lives on <paramref name="destination"/> (caller holds <see cref="Gate"/>).</summary>
    public void Assign(string conversationKey, DestinationState destination)
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

/// <summary>One destination URL's live state (guarded by its <see cref="PoolState.Gate"/>, but the in-flight count).</summary>
internal sealed class DestinationState
{
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Conversations whose prefix this destination holds.</summary>
    public int Conversations { get; set; }

    public int Failures { get; set; }

    public DateTimeOffset RetryAt { get; set; } = DateTimeOffset.MinValue;

    public string? LastError { get; set; }

    /// <summary>A request or a health check has reached it (or failed to): until then its health is unknown.</summary>
    public bool Known { get; set; }

    /// <summary>Its last health check failed (shown as down; unlike a failed request, it is not backed off for it).</summary>
    public bool ProbedDown { get; set; }

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished() => Interlocked.Decrement(ref _inFlight);
}
