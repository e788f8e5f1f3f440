namespace AnyClaude.Plugins.LlamaCpp;

/// <summary>
/// Which of llama-server's <c>--parallel</c> slots a request goes to (<c>id_slot</c>), from what this proxy has in flight
/// on each. What the server does (tools/server/server-context.cpp): a request pinned to a busy slot waits for it, even
/// with another slot idle; one not pinned takes an idle slot by prompt similarity, else the one used longest ago; with
/// <c>--cache-ram</c> a prompt a slot gives up is kept in host memory and restored when it comes back; and each batch
/// (<c>n_batch</c> tokens) is filled slot by slot in slot order, so a long prefill on a low slot holds back every
/// prompt on the slots above it, while a prompt on a lower slot goes first. So a request is pinned only to a slot that
/// is free: a conversation (each affinity key: a subagent is its own) to the slot it had; else to a free slot below
/// every busy one when there is one, and among those: for a conversation new here (or a request with no key) the one
/// whose last prompt had the same head (<see cref="PromptHead"/>: system prompt and tools, which Claude Code sessions
/// share), even from an idle conversation, which then moves; for a moved conversation or a side request one holding
/// no conversation before one with its head (so two conversations do not take turns on one slot); then the one used
/// longest ago, the highest of equals (which leaves the low slots, first in the batch, to whoever comes while it runs).
/// A conversation sticks to the slot it was given; a side request (classifier, title, topic, probe: a prefix no turn
/// shares) takes no slot from its conversation. With every slot busy, or a request the server placed itself still
/// running (its slot unknown here), nothing is pinned: the server gives it the first slot that frees. One slot (or
/// none reported): never pinned.
/// </summary>
internal sealed class SlotPlan
{
    private const int RememberedConversations = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _slotOf = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _recent = new();
    private int[] _busy = [];
    private long[] _lastUse = [];
    private string?[] _owner = [];
    private int?[] _head = [];
    private int _unplaced;
    private long _clock;

    /// <summary>
    /// The slot for a request of <paramref name="requestClass"/> in <paramref name="conversationKey"/> whose prompt
    /// starts with <paramref name="head"/> (<see cref="PromptHead"/>; null: unknown), held until <see cref="Release"/>;
    /// null when the server has one slot or does not say (nothing to choose, nothing to hold).
    /// </summary>
    public SlotLease? Acquire(int? slots, string? requestClass, string? conversationKey, int? head = null)
    {
        if (slots is not (> 1 and var count))
        {
            return null;
        }

        lock (_gate)
        {
            if (_busy.Length != count)
            {
                Reset(count);
            }

            int? slot = _unplaced > 0 ? null : Choose(IsSide(requestClass), conversationKey, head);
            if (slot is { } chosen)
            {
                _busy[chosen]++;
                _lastUse[chosen] = ++_clock;
                _head[chosen] = head;
            }
            else
            {
                _unplaced++;
            }

            return new SlotLease(slot, count);
        }
    }

    /// <summary>The request is over (answered, failed or cancelled): its slot is free again as far as this proxy knows.</summary>
    public void Release(SlotLease lease)
    {
        lock (_gate)
        {
            if (lease.Slots != _busy.Length)
            {
                return;
            }

            if (lease.Slot is { } slot)
            {
                _busy[slot] = Math.Max(0, _busy[slot] - 1);
            }
            else
            {
                _unplaced = Math.Max(0, _unplaced - 1);
            }
        }
    }

    /// <summary>Requests in flight on each slot, as this proxy placed them (for tests and diagnostics).</summary>
    public IReadOnlyList<int> InFlight()
    {
        lock (_gate)
        {
            return [.. _busy];
        }
    }

    private int? Choose(bool side, string? conversationKey, int? head)
    {
        int own = -1;
        bool known = conversationKey is not null && _slotOf.TryGetValue(conversationKey, out own);
        if (!side && known && _owner[own] == conversationKey && _busy[own] == 0)
        {
            Touch(conversationKey!);
            return own;
        }

        // A conversation new to this plan (or one with no key) goes where its head is cached, even to a slot another
        // conversation held: that one moves when it comes back (known, so it then takes a slot no one holds first).
        int? free = LeastValuableFreeSlot(head, headFirst: !side && !known);
        if (free is not { } slot || side || conversationKey is null)
        {
            return free;
        }

        if (known && _owner[own] == conversationKey)
        {
            _owner[own] = null;
        }

        _slotOf[conversationKey] = slot;
        _owner[slot] = conversationKey;
        Touch(conversationKey);
        return slot;
    }

    /// <summary>The free slot that matters least (see the class), null when none is free.</summary>
    private int? LeastValuableFreeSlot(int? head, bool headFirst)
    {
        int firstBusy = Array.FindIndex(_busy, count => count > 0);
        int? best = null;
        for (int slot = _busy.Length - 1; slot >= 0; slot--)
        {
            if (_busy[slot] == 0 && (best is not { } current || Rank(slot, firstBusy, head, headFirst).CompareTo(Rank(current, firstBusy, head, headFirst)) < 0))
            {
                best = slot;
            }
        }

        return best;
    }

    /// <summary>
    /// Lower is better: behind a busy slot in the server's batch order; then, for a new conversation, not holding its
    /// head before holding a conversation (for others the other way round); then last used.
    /// </summary>
    private (bool Behind, bool First, bool Second, long LastUse) Rank(int slot, int firstBusy, int? head, bool headFirst)
    {
        bool behind = firstBusy >= 0 && firstBusy < slot;
        bool held = _owner[slot] is not null;
        bool otherHead = head is null || _head[slot] != head;
        return headFirst ? (behind, otherHead, held, _lastUse[slot]) : (behind, held, otherHead, _lastUse[slot]);
    }

    private void Touch(string conversationKey)
    {
        _recent.Remove(conversationKey);
        _recent.AddFirst(conversationKey);
        if (_recent.Count > RememberedConversations)
        {
            Forget(_recent.Last!.Value);
        }
    }

    private void Forget(string conversationKey)
    {
        if (_slotOf.Remove(conversationKey, out int slot) && _owner[slot] == conversationKey)
        {
            _owner[slot] = null;
        }

        _recent.Remove(conversationKey);
    }

    private void Reset(int count)
    {
        _busy = new int[count];
        _lastUse = new long[count];
        _owner = new string?[count];
        _head = new int?[count];
        _unplaced = 0;
        _slotOf.Clear();
        _recent.Clear();
    }

    /// <summary>Requests that do not share the conversation's prefix (protocol.md 1a); unknown classes count as turns.</summary>
    private static bool IsSide(string? requestClass) => requestClass is "classifier" or "title" or "topic" or "probe";
}

/// <summary>
/// A request's place: <see cref="Slot"/> when it was pinned, null when the server chooses; <see cref="Slots"/> is the slot
/// count it was chosen under (a server restarted with another <c>--parallel</c> starts the plan afresh).
/// </summary>
internal sealed record SlotLease(int? Slot, int Slots);
