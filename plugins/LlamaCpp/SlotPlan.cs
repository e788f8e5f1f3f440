namespace AnyClaude.Plugins.LlamaCpp;

/// <summary>
/// Which of llama-server's <c>--parallel</c> slots a request goes to, so that a side request never overwrites the
/// conversation's prompt: Claude Code's side requests (safety classifier, title, topic, model probe) share the last
/// slot; conversations (turns and compaction, which shares their prefix) get the others, each conversation key
/// sticking to its slot, a new one taking the slot used longest ago. One slot (or none reported): no pinning.
/// </summary>
internal sealed class SlotPlan
{
    private const int RememberedConversations = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _slotOf = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _recent = new();
    private long[] _lastUse = [];
    private long _clock;

    /// <summary>The slot for a request of <paramref name="requestClass"/> in <paramref name="conversationKey"/>; null leaves it to the server.</summary>
    public int? Choose(int? slots, string? requestClass, string? conversationKey)
    {
        if (slots is not (> 1 and var count))
        {
            return null;
        }

        if (IsSide(requestClass))
        {
            return count - 1;
        }

        if (count == 2 || conversationKey is null)
        {
            return 0;
        }

        lock (_gate)
        {
            int conversationSlots = count - 1;
            if (_lastUse.Length != conversationSlots)
            {
                _lastUse = new long[conversationSlots];
                _slotOf.Clear();
                _recent.Clear();
            }

            if (!_slotOf.TryGetValue(conversationKey, out int slot) || slot >= conversationSlots)
            {
                slot = Array.IndexOf(_lastUse, _lastUse.Min());
                foreach (var other in _slotOf.Where(pair => pair.Value == slot).Select(pair => pair.Key).ToList())
                {
                    _slotOf.Remove(other);
                    _recent.Remove(other);
                }

                _slotOf[conversationKey] = slot;
                _recent.AddFirst(conversationKey);
                if (_recent.Count > RememberedConversations)
                {
                    _slotOf.Remove(_recent.Last!.Value);
                    _recent.RemoveLast();
                }
            }

            _lastUse[slot] = ++_clock;
            return slot;
        }
    }

    /// <summary>Requests that do not share the conversation's prefix (protocol.md 1a); unknown classes count as turns.</summary>
    private static bool IsSide(string? requestClass) => requestClass is "classifier" or "title" or "topic" or "probe";
}
