
using AnyClaude.Host.Proxy.ContextWindows;

namespace AnyClaude.Host.Tests.ContextWindows;

/// <summary>
/// The arithmetic of a turn sized from an upper bound instead of an exact count: no count could refuse it, and the
/// <c>max_tokens</c> it gets is at most <see cref="TurnSizing.ClampMarginTokens"/> under the exact room.
/// </summary>
public sealed class TurnSizingTests
{
    private const int Window = 32768;

    [Fact]
    public void A_bound_that_leaves_the_whole_answer_room_keeps_max_tokens_as_asked()
    {
        TurnSizing.MaxTokensWithoutCount(new GrownPrompt(20_000, Slack: 30_000), asked: 12_768, Window).ShouldBe(12_768);
    }

    [Fact]
    public void Claude_codes_32000_past_half_the_window_gets_the_room_the_bound_leaves_without_a_count()
    {
        var bound = new GrownPrompt(21_000, Slack: 300);

        int? maxTokens = TurnSizing.MaxTokensWithoutCount(bound, asked: 32_000, Window);

        maxTokens.ShouldBe(Window - 21_000);
        foreach (long exact in new[] { bound.Tokens, bound.Tokens - bound.Slack })
        {
            long exactRoom = Window - exact;
            maxTokens!.Value.ShouldBeLessThanOrEqualTo((int)exactRoom, "never more than the exact room");
            (exactRoom - maxTokens.Value).ShouldBeLessThanOrEqualTo(TurnSizing.ClampMarginTokens, "and at most the margin under it");
        }
    }

    [Theory]
    [InlineData(Window - TurnSizing.EdgeRoomTokens + 1, 300)]
    [InlineData(Window - 100, 0)]
    [InlineData(Window + 100, 0)]
    [InlineData(20_000, TurnSizing.ClampMarginTokens + 1)]
    public void Near_the_edge_or_with_too_much_slack_the_prompt_is_counted(long boundTokens, long slack)
    {
        TurnSizing.MaxTokensWithoutCount(new GrownPrompt(boundTokens, slack), asked: 32_000, Window).ShouldBeNull();
    }

    [Fact]
    public void A_bound_that_leaves_exactly_the_edge_room_is_not_counted()
    {
        TurnSizing.MaxTokensWithoutCount(new GrownPrompt(Window - TurnSizing.EdgeRoomTokens, TurnSizing.ClampMarginTokens), asked: 32_000, Window)
            .ShouldBe(TurnSizing.EdgeRoomTokens);
    }

    [Fact]
    public void A_small_window_never_has_the_edge_room_and_is_counted_unless_the_answer_fits()
    {
        TurnSizing.MaxTokensWithoutCount(new GrownPrompt(3_000, 0), asked: 16_384, window: 8192).ShouldBeNull();
        TurnSizing.MaxTokensWithoutCount(new GrownPrompt(3_000, 0), asked: 512, window: 8192).ShouldBe(512);
    }
}
