using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Abstractions.Streaming;

/// <summary>One event of an Anthropic message stream, in the grammar of the Messages API.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(MessageStartEvent), StreamEventTypes.MessageStart)]
[JsonDerivedType(typeof(ContentBlockStartEvent), StreamEventTypes.ContentBlockStart)]
[JsonDerivedType(typeof(ContentBlockDeltaEvent), StreamEventTypes.ContentBlockDelta)]
[JsonDerivedType(typeof(ContentBlockStopEvent), StreamEventTypes.ContentBlockStop)]
[JsonDerivedType(typeof(MessageDeltaEvent), StreamEventTypes.MessageDelta)]
[JsonDerivedType(typeof(MessageStopEvent), StreamEventTypes.MessageStop)]
[JsonDerivedType(typeof(PingEvent), StreamEventTypes.Ping)]
[JsonDerivedType(typeof(ErrorEvent), StreamEventTypes.Error)]
public abstract class MessageStreamEvent
{
    /// <summary>The SSE <c>event:</c> name, equal to the JSON <c>type</c>.</summary>
    [JsonIgnore]
    public abstract string Type { get; }
}

public sealed class MessageStartEvent(MessageResponse message) : MessageStreamEvent
{
    [JsonIgnore]
    public override string Type => StreamEventTypes.MessageStart;

    [JsonPropertyName("message")]
    public MessageResponse Message { get; } = message;
}

public sealed class ContentBlockStartEvent(int index, ContentBlock contentBlock) : MessageStreamEvent
{
    [JsonIgnore]
    public override string Type => StreamEventTypes.ContentBlockStart;

    [JsonPropertyName("index")]
    public int Index { get; } = index;

    [JsonPropertyName("content_block")]
    public ContentBlock ContentBlock { get; } = contentBlock;
}

public sealed class ContentBlockDeltaEvent(int index, ContentDelta delta) : MessageStreamEvent
{
    [JsonIgnore]
    public override string Type => StreamEventTypes.ContentBlockDelta;

    [JsonPropertyName("index")]
    public int Index { get; } = index;

    [JsonPropertyName("delta")]
    public ContentDelta Delta { get; } = delta;
}

public sealed class ContentBlockStopEvent(int index) : MessageStreamEvent
{
    [JsonIgnore]
    public override string Type => StreamEventTypes.ContentBlockStop;

    [JsonPropertyName("index")]
    public int Index { get; } = index;
}

/// <summary>The end of the message: why it stopped and the final, cumulative usage.</summary>
public sealed class MessageDeltaEvent(MessageDelta delta, Usage usage) : MessageStreamEvent
{
    [JsonIgnore]
    public override string Type => StreamEventTypes.MessageDelta;

    [JsonPropertyName("delta")]
    public MessageDelta Delta { get; } = delta;

    [JsonPropertyName("usage")]
    public Usage Usage { get; } = usage;
}

public sealed class MessageDelta(string? stopReason, string? stopSequence)
{
    [JsonPropertyName("stop_reason")]
    public string? StopReason { get; } = stopReason;

    [JsonPropertyName("stop_sequence")]
    public string? StopSequence { get; } = stopSequence;
}

public sealed class MessageStopEvent : MessageStreamEvent
{
    public static readonly MessageStopEvent Instance = new();

    [JsonIgnore]
    public override string Type => StreamEventTypes.MessageStop;
}

public sealed class PingEvent : MessageStreamEvent
{
    public static readonly PingEvent Instance = new();

    [JsonIgnore]
    public override string Type => StreamEventTypes.Ping;
}

/// <summary>An error after the stream has started (the HTTP status is already 200).</summary>
public sealed class ErrorEvent(AnthropicError error) : MessageStreamEvent
{
    [JsonIgnore]
    public override string Type => StreamEventTypes.Error;

    [JsonPropertyName("error")]
    public AnthropicError Error { get; } = error;
}

public static class StreamEventTypes
{
    public const string MessageStart = "message_start";
    public const string ContentBlockStart = "content_block_start";
    public const string ContentBlockDelta = "content_block_delta";
    public const string ContentBlockStop = "content_block_stop";
    public const string MessageDelta = "message_delta";
    public const string MessageStop = "message_stop";
    public const string Ping = "ping";
    public const string Error = "error";
}
