namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// Prompt and cached tokens summed per conversation (its key: session id or prefix hash), for the log line and
/// <c>anyclaude status</c>. Only the conversations seen last are kept.
/// </summary>
internal sealed class ConversationCaches(TimeProvider time)
{
    public const int Capacity = 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ConversationCache> _items = new(StringComparer.Ordinal);

    /// <summary>Adds one request's figures to its conversation's and returns the sums.</summary>
    public ConversationCache Record(string key, string backend, int promptTokens, int cachedTokens)
    {
        lock (_gate)
        {
            var sums = _items.TryGetValue(key, out var known)
                ? known with { Requests = known.Requests + 1, PromptTokens = known.PromptTokens + promptTokens, CachedTokens = known.CachedTokens + cachedTokens }
                : new ConversationCache(key, 1, promptTokens, cachedTokens, backend, time.GetUtcNow());
            sums = sums with { Backend = backend, LastAt = time.GetUtcNow() };
            _items[key] = sums;
            if (_items.Count > Capacity)
            {
                _items.Remove(_items.Values.MinBy(c => c.LastAt)!.Key);
            }

            return sums;
        }
    }

    /// <summary>Most recent first.</summary>
    public IReadOnlyList<ConversationCache> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items.Values.OrderByDescending(c => c.LastAt)];
        }
    }
}

/// <summary>One conversation's sums; <see cref="CachedShare"/> is the part of all its prompts the backends' caches served.</summary>
internal sealed record ConversationCache(string Key, int Requests, long PromptTokens, long CachedTokens, string Backend, DateTimeOffset LastAt)
{
    public double? CachedShare => PromptTokens == 0 ? null : (double)CachedTokens / PromptTokens;

    public override string ToString() =>
        $"{Key} {Requests} req {(CachedShare is { } share ? $"{100 * share:0}%" : "-")} cached";
}
