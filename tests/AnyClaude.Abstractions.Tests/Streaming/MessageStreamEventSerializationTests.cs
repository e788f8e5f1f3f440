using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Tests.Streaming;

public sealed class MessageStreamEventSerializationTests
{
    private static string Serialize(MessageStreamEvent streamEvent) =>
        JsonSerializer.Serialize(streamEvent, AnthropicJsonContext.Default.MessageStreamEvent);

    public static TheoryData<string, MessageStreamEvent> WireShapes()
    {
        using var input = JsonDocument.Parse("{}");
        return new()
        {
            { """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}""", new ContentBlockDeltaEvent(0, new TextDelta("hi")) },
            { """{"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"hmm"}}""", new ContentBlockDeltaEvent(1, new ThinkingDelta("hmm")) },
            { """{"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"sig"}}""", new ContentBlockDeltaEvent(1, new SignatureDelta("sig")) },
            { """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"[1,"}}""", new ContentBlockDeltaEvent(2, new InputJsonDelta("[1,")) },
            { """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""", new ContentBlockStartEvent(0, new TextBlock()) },
            { """{"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":"","signature":""}}""", new ContentBlockStartEvent(1, new ThinkingBlock()) },
            { """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}}""", new ContentBlockStartEvent(2, new ToolUseBlock { Id = "toolu_1", Name = "Bash", Input = input.RootElement.Clone() }) },
            { """{"type":"content_block_stop","index":3}""", new ContentBlockStopEvent(3) },
            {
                """{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"###"},"usage":{"input_tokens":10,"output_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":4}}""",
                new MessageDeltaEvent(new MessageDelta(StopReasons.StopSequence, "###"), new Usage { InputTokens = 10, OutputTokens = 7, CacheReadInputTokens = 4 })
            },
            {
                """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":0,"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}""",
                new MessageDeltaEvent(new MessageDelta(StopReasons.EndTurn, null), new Usage { OutputTokens = 1 })
            },
            { """{"type":"message_stop"}""", MessageStopEvent.Instance },
            { """{"type":"ping"}""", PingEvent.Instance },
            { """{"type":"error","error":{"type":"overloaded_error","message":"busy"}}""", new ErrorEvent(new AnthropicError(AnthropicErrorTypes.Overloaded, "busy")) },
        };
    }

    [Theory]
    [MemberData(nameof(WireShapes))]
    public void Serializes_to_the_exact_anthropic_wire_shape(string expected, MessageStreamEvent streamEvent)
    {
        Serialize(streamEvent).ShouldBe(expected);
    }

    [Fact]
    public void Input_json_delta_keeps_quotes_in_partial_json()
    {
        using var json = JsonDocument.Parse(Serialize(new ContentBlockDeltaEvent(2, new InputJsonDelta("{\"path\": \"/tmp/a"))));

        json.RootElement.EnumerateObject().Select(p => p.Name).ShouldBe(["type", "index", "delta"]);
        var delta = json.RootElement.GetProperty("delta");
        delta.EnumerateObject().Select(p => p.Name).ShouldBe(["type", "partial_json"]);
        delta.GetProperty("type").GetString().ShouldBe("input_json_delta");
        delta.GetProperty("partial_json").GetString().ShouldBe("{\"path\": \"/tmp/a");
    }

    [Fact]
    public void Message_start_carries_an_empty_message_with_null_stop_fields()
    {
        var start = new MessageStartEvent(new MessageResponse
        {
            Id = "msg_01",
            Model = "qwen3",
            Usage = new Usage { InputTokens = 12, CacheReadInputTokens = 3 },
        });

        Serialize(start).ShouldBe(
            """{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"qwen3","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":3}}}""");
    }

    [Fact]
    public void Event_type_matches_the_json_discriminator()
    {
        foreach (var row in WireShapes())
        {
            var streamEvent = (MessageStreamEvent)row[1];
            using var json = JsonDocument.Parse(Serialize(streamEvent));
            json.RootElement.GetProperty("type").GetString().ShouldBe(streamEvent.Type);
        }
    }

    [Fact]
    public void Non_streaming_response_has_the_anthropic_message_shape()
    {
        var response = new MessageResponse
        {
            Id = "msg_2",
            Model = "m",
            Content = [new TextBlock("done")],
            StopReason = StopReasons.EndTurn,
            Usage = new Usage { InputTokens = 1, OutputTokens = 2 },
        };

        JsonSerializer.Serialize(response, AnthropicJsonContext.Default.MessageResponse).ShouldBe(
            """{"id":"msg_2","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"done"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":2,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}""");
    }
}
