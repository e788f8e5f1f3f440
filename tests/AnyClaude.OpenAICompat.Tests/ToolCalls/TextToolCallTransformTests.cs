using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.ToolCalls;
using static AnyClaude.OpenAICompat.Tests.ToolCalls.ResponseStreams;

namespace AnyClaude.OpenAICompat.Tests.ToolCalls;

public sealed class TextToolCallTransformTests
{
    public static TheoryData<PrintedCallCase> Cases() => [.. PrintedCallCases.All];

    public static TheoryData<string> PlainTexts() => [.. PrintedCallCases.PlainTexts];

    private static readonly TextToolCallTransform Auto = new();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_printed_format_becomes_tool_use_blocks_and_stop_reason_tool_use(PrintedCallCase printed)
    {
        var answer = await RunAsync(Auto, ClaudeCodeTools(), [printed.Answer], printed.Thinking);

        answer.Blocks.Select(b => b.ToString()).ShouldBe(printed.Blocks);
        answer.StopReason.ShouldBe(StopReasons.ToolUse);
        answer.Warnings.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(PlainTexts))]
    public async Task Text_that_is_no_usable_call_reaches_the_client_unchanged(string text)
    {
        var answer = await RunAsync(Auto, ClaudeCodeTools(), [text]);

        answer.Blocks.ShouldBe([new Block("text", text)]);
        answer.StopReason.ShouldBe(StopReasons.EndTurn);
    }

    [Fact]
    public async Task A_call_to_a_tool_the_request_did_not_offer_stays_text_with_a_warning()
    {
        var answer = await RunAsync(Auto, ClaudeCodeTools(), [PrintedCallCases.PlainTexts[1]]);

        answer.Blocks.ShouldHaveSingleItem().Type.ShouldBe("text");
        answer.Warnings.ShouldHaveSingleItem().ShouldContain("'Bash', which the request did not offer");
    }

    [Fact]
    public async Task Arguments_that_cannot_be_an_object_stay_text_with_a_warning()
    {
        var answer = await RunAsync(Auto, ClaudeCodeTools(), [PrintedCallCases.PlainTexts[2]]);

        answer.Blocks.ShouldHaveSingleItem().Type.ShouldBe("text");
        answer.Warnings.ShouldHaveSingleItem().ShouldContain("not a JSON object");
    }

    [Fact]
    public async Task Text_without_a_marker_character_passes_as_the_upstream_events_themselves()
    {
        var upstream = new List<MessageStreamEvent>();
        await foreach (var e in Upstream(["Hello", " world"], null, StopReasons.EndTurn))
        {
            upstream.Add(e);
        }

        var context = new Abstractions.Responses.ResponseContext(ClaudeCodeTools(), null!, new Abstractions.Backends.BackendCall("r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), default);
        var output = new List<MessageStreamEvent>();
        await foreach (var e in Auto.Apply(upstream.ToAsyncEnumerable(), context))
        {
            output.Add(e);
        }

        // The same events in the same order; the per-token ones (text deltas, pings) are the upstream objects themselves.
        output.Select(e => e.Type).ShouldBe(upstream.Select(e => e.Type));
        output.Zip(upstream).Where(pair => pair.Second is ContentBlockDeltaEvent or PingEvent).ShouldAllBe(pair => ReferenceEquals(pair.First, pair.Second));
    }

    [Fact]
    public async Task Text_flows_before_a_possible_marker_and_is_held_only_while_it_could_be_one()
    {
        var step = new TextToolCallTransform();
        var events = new List<MessageStreamEvent>();
        var context = new Abstractions.Responses.ResponseContext(ClaudeCodeTools(), null!, new Abstractions.Backends.BackendCall("r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), default);
        var released = new List<string>();
        await foreach (var e in step.Apply(Upstream(["Hi <to", "ol", "s> ok"], null, StopReasons.EndTurn), context))
        {
            if (e is ContentBlockDeltaEvent { Delta: TextDelta t })
            {
                released.Add(t.Text);
            }
        }

        // "Hi " goes out at once; "<to" and "<tool" are held; "<tools" cannot be a marker and is released with what follows.
        released.ShouldBe(["Hi ", "<tools> ok"]);
    }

    [Fact]
    public async Task A_request_without_tools_is_not_scanned()
    {
        var upstream = Upstream([PrintedCallCases.All[3].Answer], null, StopReasons.EndTurn);
        var context = new Abstractions.Responses.ResponseContext(Request(), null!, new Abstractions.Backends.BackendCall("r", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance), default);

        Auto.Apply(upstream, context).ShouldBeSameAs(upstream);
    }

    [Theory]
    [InlineData("qwen3-coder", 0, true)]
    [InlineData("qwen3-coder", 3, false)]
    [InlineData("hermes", 3, true)]
    [InlineData("hermes", 0, false)]
    [InlineData("llama3", 7, true)]
    [InlineData("mistral", 9, true)]
    [InlineData("lmstudio", 11, true)]
    [InlineData("lmstudio", 9, false)]
    [InlineData("glm", 12, true)]
    [InlineData("deepseek", 13, true)]
    [InlineData("deepseek", 15, false)]
    [InlineData("kimi", 15, true)]
    [InlineData("kimi", 3, false)]
    [InlineData("none", 3, false)]
    public async Task A_fixed_format_parses_only_its_own_markers(string format, int caseIndex, bool parsed)
    {
        ToolCallFormats.TryParse(format, out var parsedFormat).ShouldBeTrue();
        var printed = PrintedCallCases.All[caseIndex];

        var answer = await RunAsync(new TextToolCallTransform(parsedFormat), ClaudeCodeTools(), [printed.Answer], printed.Thinking);

        answer.Blocks.Any(b => b.Type == "tool_use").ShouldBe(parsed);
        answer.StopReason.ShouldBe(parsed ? StopReasons.ToolUse : StopReasons.EndTurn);
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_value_is_replaced_and_the_answer_goes_on()
    {
        string printed = "<tool_call>\n<function=Write>\n<parameter=file_path>\n/a\n</parameter>\n<parameter=content>\n\uD800\n</parameter>\n</function>\n</tool_call>";

        var answer = await RunAsync(Auto, ClaudeCodeTools(), [printed, " after"]);

        answer.Blocks.ShouldBe([new Block("tool_use", "Write {\"file_path\":\"/a\",\"content\":\"\uFFFD\"}"), new Block("text", " after")]);
        answer.StopReason.ShouldBe(StopReasons.ToolUse);
    }

    [Fact]
    public async Task Max_tokens_is_kept_when_the_answer_was_cut_off()
    {
        var answer = await RunAsync(Auto, ClaudeCodeTools(), [PrintedCallCases.All[6].Answer], stopReason: StopReasons.MaxTokens);

        answer.StopReason.ShouldBe(StopReasons.MaxTokens);
    }
}
