namespace AnyClaude.Host.Routing;

/// <summary>The last few requests, for <c>anyclaude status</c>: where each went and how it went.</summary>
internal sealed class RecentRequests(TimeProvider time)
{
    public const int Capacity = 20;

    private readonly Lock _gate = new();
    private readonly Queue<RecentRequest> _items = new(Capacity);

    public void Add(RoutedRequest routed, Diagnostics.RequestOutcome outcome)
    {
        int prompt = outcome.InputTokens + outcome.CachedTokens;
        var item = new RecentRequest(
            time.GetUtcNow(),
            outcome.Backend,
            routed.Model ?? routed.RequestedModel,
            RequestClasses.NameOf(routed.Class),
            outcome.Status,
            outcome.TtftSeconds,
            prompt == 0 ? null : (double)outcome.CachedTokens / prompt);
        lock (_gate)
        {
            if (_items.Count == Capacity)
            {
                _items.Dequeue();
            }

            _items.Enqueue(item);
        }
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<RecentRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }
}

/// <summary>One finished request: <see cref="CachedShare"/> is the part of the prompt the backend's cache served.</summary>
internal sealed record RecentRequest(DateTimeOffset At, string Backend, string Model, string Class, int Status, double? TtftSeconds, double? CachedShare);
