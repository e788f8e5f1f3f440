


using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Proxy.Telemetry;

/// <summary>The last few requests, for <c>anyclaude status</c>: where each went and how it went.</summary>
internal sealed class RecentRequests(TimeProvider time) : IRequestListener
{
    public const int Capacity = 20;

    private readonly Lock _gate = new();
    private readonly Queue<RecentRequest> _items = new(Capacity);

    void IRequestListener.OnCompleted(RoutedRequest routed, RequestOutcome outcome) => Add(routed, outcome);

    public void Add(RoutedRequest routed, RequestOutcome outcome)
    {
        int prompt = outcome.InputTokens + outcome.CachedTokens;
        var item = new RecentRequest(
            time.GetUtcNow(),
            outcome.Backend,
            routed.Model ?? routed.RequestedModel,
            routed.ClassName,
            outcome.Status,
            outcome.TtftSeconds,
            prompt == 0 ? null : (double)outcome.CachedTokens / prompt)
        {
            PromptTokens = prompt,
            CachedTokens = outcome.CachedTokens,
            Strategy = outcome.Strategy,
            Conversation = routed.AffinityKey,
        };
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
internal sealed record RecentRequest(DateTimeOffset At, string Backend, string Model, string Class, int Status, double? TtftSeconds, double? CachedShare)
{
    public int PromptTokens { get; init; }

    public int CachedTokens { get; init; }

    /// <summary>How it kept the conversation's cache: <c>local-answer</c>, <c>slot 1</c>, <c>affinity …</c>, <c>shared</c>.</summary>
    public string? Strategy { get; init; }

    public string? Conversation { get; init; }
}
