using AnyClaude.Plugins.LlamaCpp;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>
/// llama.cpp's slot chooser: a request is pinned only to a slot this proxy has nothing running on, a conversation (each
/// affinity key) to its own when free, else preferably below the busy slots (llama-server fills each batch in slot
/// order); with no free slot known, the server chooses.
/// </summary>
public sealed class SlotPlanTests
{
    [Fact]
    public void A_conversation_never_waits_behind_another_while_a_slot_is_free()
    {
        var plan = new SlotPlan();
        var a = plan.Acquire(2, "turn", "a")!;
        var b = plan.Acquire(2, "turn", "b")!;

        // The first takes the highest slot, leaving the lower one, first in the server's batch, to the one that comes next.
        a.Slot.ShouldBe(1);
        b.Slot.ShouldBe(0);
        plan.InFlight().ShouldBe([1, 1]);
    }

    [Fact]
    public void Each_conversation_keeps_its_slot_while_it_is_free()
    {
        var plan = new SlotPlan();
        for (int turn = 0; turn < 3; turn++)
        {
            var a = plan.Acquire(2, "turn", "a")!;
            var b = plan.Acquire(2, "turn", "b")!;
            (a.Slot, b.Slot).ShouldBe((1, 0));
            plan.Release(a);
            plan.Release(b);
        }

        plan.InFlight().ShouldBe([0, 0]);
    }

    [Fact]
    public void A_conversation_whose_slot_is_busy_moves_and_sticks_to_its_new_slot()
    {
        var plan = new SlotPlan();
        var first = plan.Acquire(2, "turn", "a")!;
        var second = plan.Acquire(2, "turn", "a")!;
        (first.Slot, second.Slot).ShouldBe((1, 0));
        plan.Release(first);
        plan.Release(second);

        plan.Acquire(2, "turn", "a")!.Slot.ShouldBe(0);
    }

    [Fact]
    public void Side_requests_take_a_free_slot_without_a_conversation_and_never_a_busy_one()
    {
        var plan = new SlotPlan();
        var a = plan.Acquire(2, "turn", "a")!;
        var title = plan.Acquire(2, "title", "a")!;
        (a.Slot, title.Slot).ShouldBe((1, 0));
        plan.Release(title);
        plan.Release(a);

        // The side request took slot 0 from no one: a new conversation gets it, a's turn keeps slot 1.
        plan.Acquire(2, "turn", "a")!.Slot.ShouldBe(1);
        plan.Acquire(2, "turn", "b")!.Slot.ShouldBe(0);
        plan.Acquire(2, "classifier", "a")!.Slot.ShouldBeNull();
    }

    [Fact]
    public void With_every_slot_busy_nothing_is_pinned_until_the_unplaced_requests_are_over()
    {
        var plan = new SlotPlan();
        var a = plan.Acquire(2, "turn", "a")!;
        var b = plan.Acquire(2, "turn", "b")!;
        var c = plan.Acquire(2, "turn", "c")!;
        c.Slot.ShouldBeNull();

        // c may have taken a's slot at the server the moment a ended: pinning d there could make it wait.
        plan.Release(a);
        var d = plan.Acquire(2, "turn", "a")!;
        d.Slot.ShouldBeNull();

        plan.Release(c);
        plan.Release(d);
        plan.Acquire(2, "turn", "a")!.Slot.ShouldBe(1);
        plan.Release(b);
    }

    [Fact]
    public void A_subagent_takes_the_free_slot_its_main_conversation_did_not_use_last()
    {
        var plan = new SlotPlan();
        int? older = null, other = null, main = null;
        for (int round = 0; round < 2; round++)
        {
            older = Use(plan, "older");
            other = Use(plan, "other");
            main = Use(plan, "main");
        }

        // All three free; the subagent (its own affinity key) takes the slot used longest ago, never main's.
        plan.Acquire(3, "subagent", "main/agent-1")!.Slot.ShouldBe(older);
        plan.Acquire(3, "turn", "main")!.Slot.ShouldBe(main);
        plan.Acquire(3, "turn", "other")!.Slot.ShouldBe(other);
    }

    [Fact]
    public void A_new_request_goes_below_the_busy_slots_which_the_server_batches_first()
    {
        var plan = new SlotPlan();
        Use(plan, "x").ShouldBe(2);
        Use(plan, "y").ShouldBe(1);
        Use(plan, "z").ShouldBe(0);
        var y = plan.Acquire(3, "turn", "y")!;
        y.Slot.ShouldBe(1);

        // Slot 2 was used longest ago, but a prompt there would wait for y's prefill: slot 0 is batched before it.
        plan.Acquire(3, "turn", "new")!.Slot.ShouldBe(0);
    }

    [Fact]
    public void A_new_conversation_sharing_a_free_slots_head_goes_there()
    {
        const int head = 7;
        var plan = new SlotPlan();
        var a = plan.Acquire(2, "turn", "a", head)!;
        plan.Release(a);

        // b has the same system prompt and tools as a (two Claude Code sessions): on a's slot that much is cached; slot 0 is cold.
        var b = plan.Acquire(2, "turn", "b", head)!;
        b.Slot.ShouldBe(a.Slot);
        plan.Release(b);

        // Requests with no conversation (doctor's) go where their head is too.
        var first = plan.Acquire(2, null, null, 9)!;
        plan.Release(first);
        plan.Acquire(2, null, null, 9)!.Slot.ShouldBe(first.Slot);
    }

    [Fact]
    public void A_conversation_whose_slot_a_new_one_took_moves_to_another_and_they_do_not_take_turns_on_one()
    {
        const int head = 7;
        var plan = new SlotPlan();
        int? a = Use(plan, "a", head, slots: 2);
        Use(plan, "b", head, slots: 2).ShouldBe(a);

        // a's slot holds b's prompt now: a moves to the free slot no one holds, and each then keeps its own.
        int? moved = Use(plan, "a", head, slots: 2);
        moved.ShouldNotBe(a);
        for (int turn = 0; turn < 2; turn++)
        {
            Use(plan, "b", head, slots: 2).ShouldBe(a);
            Use(plan, "a", head, slots: 2).ShouldBe(moved);
        }
    }

    [Fact]
    public void A_shared_head_never_puts_a_new_conversation_behind_a_busy_slot()
    {
        const int head = 7;
        var plan = new SlotPlan();
        Use(plan, "x", head).ShouldBe(2);
        var y = plan.Acquire(3, "turn", "y")!;
        y.Slot.ShouldBe(1);

        // Slot 2 holds the head, but a prompt there waits for y's prefill: slot 0, batched first, is cold but not held back.
        plan.Acquire(3, "turn", "new", head)!.Slot.ShouldBe(0);
    }

    [Fact]
    public void A_subagent_with_its_own_head_does_not_take_the_main_conversations_slot()
    {
        var plan = new SlotPlan();
        int? main = Use(plan, "main", 1, slots: 2);
        int? subagent = Use(plan, "main/agent-1", 2, slots: 2);
        subagent.ShouldNotBe(main);
        Use(plan, "main", 1, slots: 2).ShouldBe(main);
    }

    [Fact]
    public void One_slot_or_an_unknown_count_is_never_pinned()
    {
        var plan = new SlotPlan();
        plan.Acquire(1, "turn", "a").ShouldBeNull();
        plan.Acquire(null, "classifier", "a").ShouldBeNull();
    }

    /// <summary>One request of <paramref name="key"/> (a three-slot server unless said), over at once: the slot it had.</summary>
    private static int? Use(SlotPlan plan, string key, int? head = null, int slots = 3)
    {
        var lease = plan.Acquire(slots, "turn", key, head)!;
        plan.Release(lease);
        return lease.Slot;
    }
}
