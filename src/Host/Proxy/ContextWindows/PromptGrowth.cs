using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// The last sized prompt of each conversation on each backend and model (its tokens: the backend's exact count, or an
/// upper bound built on one), so the next turn, which only adds messages at the end, is sized as that figure plus an
/// upper bound on what was added (<see cref="PromptShape.AppendedTokens"/>) instead of being counted again. Each figure
/// carries its slack: at most how far above the last exact count it may be (0 for an exact count; the bounds of every
/// turn appended since one), which says how far a <c>max_tokens</c> clamped to it may fall short of the exact room. A
/// prompt that is not the last one plus more (compacted, edited, a new system prompt or tools) gets no bound. Keyed by
/// backend and model, since another backend's tokenizer counts differently; only the conversations seen last are kept.
/// </summary>
internal sealed class PromptGrowth
{
    public const int Capacity = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Sized> _items = new(StringComparer.Ordinal);
    private long _clock;

    public static string KeyOf(string backend, string model, string conversation) => $"{backend}\n{model}\n{conversation}";

    /// <summary>An upper bound on the prompt's tokens from the conversation's last sized prompt, or null when there is none that it extends.</summary>
    public long? UpperBound(string key, MessagesRequest request) => Bound(key, request, out _)?.Tokens;

    /// <summary>
    /// As <see cref="UpperBound(string, MessagesRequest)"/>, with the bound's slack over the last exact count;
    /// <paramref name="wholeHash"/> is the request's own hash when the comparison computed it (in the same pass), for
    /// <see cref="Remember"/>, so a turn is hashed once.
    /// </summary>
    public GrownPrompt? Bound(string key, MessagesRequest request, out byte[]? wholeHash)
    {
        wholeHash = null;
        Sized? last;
        lock (_gate)
        {
            _items.TryGetValue(key, out last);
        }

        if (last is null || request.Messages.Count < last.Messages)
        {
            return null;
        }

        var (prefix, whole) = PromptShape.Hashes(request, last.Messages);
        wholeHash = whole;
        if (!prefix.AsSpan().SequenceEqual(last.Hash))
        {
            return null;
        }

        return PromptShape.AppendedTokens(request, last.Messages) is { } appended ? new GrownPrompt(last.Tokens + appended, last.Slack + appended) : null;
    }

    /// <summary>
    /// Keeps the prompt's size: its exact count (<paramref name="slack"/> 0), or an upper bound on it at most
    /// <paramref name="slack"/> above the exact count (<paramref name="wholeHash"/>: the request's hash if already made).
    /// </summary>
    public void Remember(string key, MessagesRequest request, long tokens, byte[]? wholeHash = null, long slack = 0)
    {
        var sized = new Sized(wholeHash ?? PromptShape.Hash(request, request.Messages.Count), request.Messages.Count, tokens, slack);
        lock (_gate)
        {
            _items[key] = sized with { Used = ++_clock };
            if (_items.Count > Capacity)
            {
                _items.Remove(_items.MinBy(pair => pair.Value.Used).Key);
            }
        }
    }

    /// <summary>Forgets the conversation's size (its last prompt was never sized exactly, or the figure may be wrong).</summary>
    public void Forget(string key)
    {
        lock (_gate)
        {
            _items.Remove(key);
        }
    }

    private sealed record Sized(byte[] Hash, int Messages, long Tokens, long Slack)
    {
        public long Used { get; init; }
    }
}

/// <summary>An upper bound on a conversation's prompt, and at most how far above its exact count it may be.</summary>
internal readonly record struct GrownPrompt(long Tokens, long Slack);
