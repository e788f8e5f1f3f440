using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Tests.Streaming;

public sealed class MessageAccumulatorTests
{
    private static MessageStartEvent Start() => new(new MessageResponse
    {
        Id = "msg_1",
        Model = "qwen3-coder",
        Usage = new Usage { InputTokens = 120, CacheReadInputTokens = 0 },
    });

    [Fact]
    public void Folds_thinking_text_and_tool_use_into_one_message()
    {
        MessageStreamEvent[] events =
        [
            Start(),
            PingEvent.Instance,
            new ContentBlockStartEvent(0, new ThinkingBlock()),
            new ContentBlockDeltaEvent(0, new ThinkingDelta("Let me ")),
            new ContentBlockDeltaEvent(0, new ThinkingDelta("think.")),
            new ContentBlockDeltaEvent(0, new SignatureDelta("sig-1")),
            new ContentBlockStopEvent(0),
            new ContentBlockStartEvent(1, new TextBlock()),
            new ContentBlockDeltaEvent(1, new TextDelta("Hello")),
            new ContentBlockDeltaEvent(1, new TextDelta(", world")),
            new ContentBlockStopEvent(1),
            new ContentBlockStartEvent(2, new ToolUseBlock { Id = "toolu_1", Name = "Write", Input = default }),
            new ContentBlockDeltaEvent(2, new InputJsonDelta("{\"file_path\":")),
            new ContentBlockDeltaEvent(2, new InputJsonDelta("\"/tmp/a.txt\",\"content\"")),
            new ContentBlockDeltaEvent(2, new InputJsonDelta(":\"hi\"}")),
            new ContentBlockStopEvent(2),
            new MessageDeltaEvent(new MessageDelta(StopReasons.ToolUse, null), new Usage { InputTokens = 100, CacheReadInputTokens = 20, OutputTokens = 42 }),
            MessageStopEvent.Instance,
        ];

        var accumulator = new MessageAccumulator();
        foreach (var e in events)
        {
            accumulator.Add(e);
        }

        var message = accumulator.Finish();

        message.Id.ShouldBe("msg_1");
        message.Model.ShouldBe("qwen3-coder");
        message.Content.Count.ShouldBe(3);
        var thinking = message.Content[0].ShouldBeOfType<ThinkingBlock>();
        thinking.Thinking.ShouldBe("Let me think.");
        thinking.Signature.ShouldBe("sig-1");
        message.Content[1].ShouldBeOfType<TextBlock>().Text.ShouldBe("Hello, world");
        var toolUse = message.Content[2].ShouldBeOfType<ToolUseBlock>();
        toolUse.Id.ShouldBe("toolu_1");
        toolUse.Name.ShouldBe("Write");
        toolUse.Input.GetProperty("file_path").GetString().ShouldBe("/tmp/a.txt");
        toolUse.Input.GetProperty("content").GetString().ShouldBe("hi");
        message.StopReason.ShouldBe(StopReasons.ToolUse);
        message.StopSequence.ShouldBeNull();
        message.Usage.InputTokens.ShouldBe(100);
        message.Usage.CacheReadInputTokens.ShouldBe(20);
        message.Usage.OutputTokens.ShouldBe(42);
    }

    [Fact]
    public async Task AccumulateAsync_folds_an_async_stream_with_a_stop_sequence()
    {
        var message = await MessageAccumulator.AccumulateAsync(Stream(
            Start(),
            new ContentBlockStartEvent(0, new TextBlock()),
            new ContentBlockDeltaEvent(0, new TextDelta("one two")),
            new ContentBlockStopEvent(0),
            new MessageDeltaEvent(new MessageDelta(StopReasons.StopSequence, "STOP"), new Usage { InputTokens = 5, OutputTokens = 3 }),
            MessageStopEvent.Instance));

        message.Content.ShouldHaveSingleItem().ShouldBeOfType<TextBlock>().Text.ShouldBe("one two");
        message.StopReason.ShouldBe(StopReasons.StopSequence);
        message.StopSequence.ShouldBe("STOP");
        message.Usage.OutputTokens.ShouldBe(3);
    }

    [Fact]
    public void A_delta_with_only_output_tokens_keeps_the_input_counts_of_message_start()
    {
        var accumulator = new MessageAccumulator();
        accumulator.Add(new MessageStartEvent(new MessageResponse { Id = "msg_1", Model = "m", Usage = new Usage { InputTokens = 120, CacheReadInputTokens = 30 } }));
        accumulator.Add(new MessageDeltaEvent(new MessageDelta(StopReasons.EndTurn, null), new Usage { OutputTokens = 9 }));
        accumulator.Add(MessageStopEvent.Instance);

        var message = accumulator.Finish();

        message.Usage.InputTokens.ShouldBe(120);
        message.Usage.CacheReadInputTokens.ShouldBe(30);
        message.Usage.OutputTokens.ShouldBe(9);
    }

    [Fact]
    public void A_delta_that_reports_the_prompt_all_cached_replaces_the_size_message_start_announced()
    {
        // message_start said the prompt's size before the server answered (the proxy's count); the end says all of it was cached.
        var accumulator = new MessageAccumulator();
        accumulator.Add(new MessageStartEvent(new MessageResponse { Id = "msg_1", Model = "m", Usage = new Usage { InputTokens = 3000 } }));
        accumulator.Add(new MessageDeltaEvent(new MessageDelta(StopReasons.EndTurn, null), new Usage { InputTokens = 0, CacheReadInputTokens = 3000, OutputTokens = 4 }));
        accumulator.Add(MessageStopEvent.Instance);

        var message = accumulator.Finish();

        message.Usage.InputTokens.ShouldBe(0);
        message.Usage.CacheReadInputTokens.ShouldBe(3000);
        message.Usage.OutputTokens.ShouldBe(4);
    }

    [Fact]
    public void Tool_use_without_input_deltas_keeps_the_start_input()
    {
        using var empty = System.Text.Json.JsonDocument.Parse("{}");
        var accumulator = new MessageAccumulator();
        accumulator.Add(Start());
        accumulator.Add(new ContentBlockStartEvent(0, new ToolUseBlock { Id = "t", Name = "List", Input = empty.RootElement.Clone() }));
        accumulator.Add(new ContentBlockStopEvent(0));
        accumulator.Add(new MessageDeltaEvent(new MessageDelta(StopReasons.ToolUse, null), new Usage()));
        accumulator.Add(MessageStopEvent.Instance);

        var toolUse = accumulator.Finish().Content.ShouldHaveSingleItem().ShouldBeOfType<ToolUseBlock>();
        toolUse.Input.ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Object);
        toolUse.Input.EnumerateObject().ShouldBeEmpty();
    }

    [Fact]
    public void Error_event_throws_an_anthropic_exception_with_its_type_and_message()
    {
        var accumulator = new MessageAccumulator();
        accumulator.Add(Start());

        var exception = Should.Throw<AnthropicException>(() =>
            accumulator.Add(new ErrorEvent(new AnthropicError(AnthropicErrorTypes.Overloaded, "the model is busy"))));

        exception.ErrorType.ShouldBe(AnthropicErrorTypes.Overloaded);
        exception.Message.ShouldBe("the model is busy");
        exception.StatusCode.ShouldBe(529);
    }

    [Fact]
    public async Task Stream_that_ends_without_message_stop_throws()
    {
        var exception = await Should.ThrowAsync<AnthropicException>(() => MessageAccumulator.AccumulateAsync(Stream(
            Start(),
            new ContentBlockStartEvent(0, new TextBlock()),
            new ContentBlockDeltaEvent(0, new TextDelta("cut off")),
            new ContentBlockStopEvent(0),
            new MessageDeltaEvent(new MessageDelta(StopReasons.EndTurn, null), new Usage()))));

        exception.ErrorType.ShouldBe(AnthropicErrorTypes.Api);
        exception.Message.ShouldContain("ended before the message was complete");
    }

    [Fact]
    public void Delta_for_a_block_that_never_started_throws()
    {
        var accumulator = new MessageAccumulator();
        accumulator.Add(Start());

        Should.Throw<AnthropicException>(() => accumulator.Add(new ContentBlockDeltaEvent(3, new TextDelta("x"))))
            .Message.ShouldContain("never started");
    }

    private static async IAsyncEnumerable<MessageStreamEvent> Stream(params MessageStreamEvent[] events)
    {
        foreach (var e in events)
        {
            await Task.Yield();
            yield return e;
        }
    }
}
