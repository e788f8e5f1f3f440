using System.Diagnostics;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;
using Xunit.Abstractions;
using static AnyClaude.Host.Tests.RealEngine.RealEngineRequests;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// Two conversations on a real llama-server with two slots (issue 20.1): a short one is never held behind the other's
/// long cold prefill while a slot is idle (its first token comes while the long one still prefills, on the other slot),
/// and the long one keeps its slot's cache for its next turn.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class RealSlotSchedulingTests(ITestOutputHelper output)
{
    private const int AMaxTokens = 8;
    private const int BMaxTokens = 12;

    [Fact]
    public async Task A_short_conversation_gets_its_first_token_on_the_other_slot_while_a_long_one_prefills_and_the_long_one_stays_cached()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 2 });
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, backendDown: true, configureBackend: b => b with { Url = server.V1 });
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };

        // A: about 10k tokens, cold: 7 s of prefill on an idle 2-core machine, far more on a busy one. The two
        // conversations ask for different max_tokens, which /slots shows, to tell their slots apart.
        var a = Body("conversation-alpha", words: 10_000, stream: true, maxTokens: AMaxTokens);
        long aSent = Stopwatch.GetTimestamp();
        var aAnswer = PostAsync(http, a);
        await WaitUntilAsync(async () => aAnswer.IsCompleted || (await SlotsAsync(server)).Any(s => s.Processing && s.MaxTokens == AMaxTokens), "A is prefilling");
        aAnswer.IsCompleted.ShouldBeFalse("A should still be prefilling");

        var (b, bFirstToken, slots) = await StreamAsync(http, Body("conversation-bravo", words: 300, maxTokens: BMaxTokens), () => SlotsAsync(server));

        if (aAnswer.IsCompletedSuccessfully)
        {
            output.WriteLine($"A was answered {Stopwatch.GetElapsedTime(aSent, (await aAnswer).CompletedAt).TotalSeconds:0.00} s after it was sent");
        }
        else if (aAnswer.IsFaulted)
        {
            output.WriteLine($"A failed: {aAnswer.Exception?.InnerException?.Message}");
        }

        var bSlot = slots.Single(s => s.MaxTokens == BMaxTokens);
        var aSlot = slots.SingleOrDefault(s => s.MaxTokens == AMaxTokens);
        output.WriteLine($"B's first token after {bFirstToken:0.00} s; then A on slot {aSlot?.Id} (prefilling: {aSlot?.Prefilling}), B on slot {bSlot.Id}");
        aSlot.ShouldNotBeNull($"B had its first token after {bFirstToken:0.00} s, on slot {bSlot.Id}, when no slot ran A any more: it waited for A's slot");
        aSlot.Prefilling.ShouldBeTrue($"A should still be prefilling on slot {aSlot.Id} when B (slot {bSlot.Id}) had its first token, after {bFirstToken:0.00} s");
        bSlot.Id.ShouldNotBe(aSlot.Id);

        var first = await aAnswer;
        output.WriteLine($"A answered after {Stopwatch.GetElapsedTime(aSent, first.CompletedAt).TotalSeconds:0.00} s, B {Stopwatch.GetElapsedTime(b.CompletedAt, first.CompletedAt).TotalSeconds:0.00} s before");
        var followUp = await PostAsync(http, FollowUp(a, first.Text, "And the next step?"));
        double share = (double)followUp.Usage.Cached / followUp.PromptTokens;
        output.WriteLine($"A turn 1: {first.PromptTokens} prompt tokens; turn 2: {followUp.Usage.Cached} of {followUp.PromptTokens} cached ({share:P1})");
        followUp.Usage.Cached.ShouldBeGreaterThanOrEqualTo((int)(0.95 * first.PromptTokens));
    }
}
