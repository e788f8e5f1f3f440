using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.Host.Http;

/// <summary>
/// Writes Anthropic SSE frames (<c>event: type\ndata: json\n\n</c>). Frames collect in a buffer of this writer's own
/// and reach the response pipe in one copy per flush: every write into Kestrel's pipe takes its output lock, and a
/// frame is five writes. The buffer is pooled: <see cref="Dispose"/> once the response is written.
/// </summary>
internal sealed class SseEventWriter : IDisposable
{
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] DataPrefix = "\ndata: "u8.ToArray();
    private static readonly byte[] FrameEnd = "\n\n"u8.ToArray();

    private static readonly JsonEncodedText TypeProperty = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText IndexProperty = JsonEncodedText.Encode("index");
    private static readonly JsonEncodedText DeltaProperty = JsonEncodedText.Encode("delta");
    private static readonly JsonEncodedText TextProperty = JsonEncodedText.Encode("text");
    private static readonly JsonEncodedText ThinkingProperty = JsonEncodedText.Encode("thinking");
    private static readonly JsonEncodedText PartialJsonProperty = JsonEncodedText.Encode("partial_json");
    private static readonly JsonEncodedText SignatureProperty = JsonEncodedText.Encode("signature");
    private static readonly JsonEncodedText TextDeltaType = JsonEncodedText.Encode("text_delta");
    private static readonly JsonEncodedText ThinkingDeltaType = JsonEncodedText.Encode("thinking_delta");
    private static readonly JsonEncodedText InputJsonDeltaType = JsonEncodedText.Encode("input_json_delta");
    private static readonly JsonEncodedText SignatureDeltaType = JsonEncodedText.Encode("signature_delta");

    /// <summary>Past this many buffered bytes a write moves them to the pipe without waiting for the flush.</summary>
    private const int MaxPendingBytes = 32 * 1024;

    private readonly PipeWriter _pipe;
    private readonly PooledBufferWriter _pending = new(16 * 1024);
    private readonly Utf8JsonWriter _json;

    public SseEventWriter(PipeWriter pipe)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(_pending, AnthropicJson.WriterOptions);
    }

    public void Write(MessageStreamEvent streamEvent)
    {
        _pending.Write(EventPrefix);
        WriteAscii(streamEvent.Type);
        _pending.Write(DataPrefix);
        _json.Reset(_pending);
        if (streamEvent is ContentBlockDeltaEvent delta)
        {
            WriteDelta(delta);
        }
        else
        {
            JsonSerializer.Serialize(_json, streamEvent, AnthropicJsonContext.Default.MessageStreamEvent);
        }

        _json.Flush();
        _pending.Write(FrameEnd);
        MoveToPipeIfLarge();
    }

    /// <summary>
    /// A stream is almost all deltas, one per token: written field by field, the same bytes the serializer writes,
    /// without its polymorphic dispatch.
    /// </summary>
    private void WriteDelta(ContentBlockDeltaEvent streamEvent)
    {
        var json = _json;
        json.WriteStartObject();
        json.WriteString(TypeProperty, StreamEventTypes.ContentBlockDelta);
        json.WriteNumber(IndexProperty, streamEvent.Index);
        json.WritePropertyName(DeltaProperty);
        json.WriteStartObject();
        var (deltaType, property, value) = streamEvent.Delta switch
        {
            TextDelta text => (TextDeltaType, TextProperty, text.Text),
            ThinkingDelta thinking => (ThinkingDeltaType, ThinkingProperty, thinking.Thinking),
            InputJsonDelta input => (InputJsonDeltaType, PartialJsonProperty, input.PartialJson),
            SignatureDelta signature => (SignatureDeltaType, SignatureProperty, signature.Signature),
            _ => throw new InvalidOperationException($"unknown delta type {streamEvent.Delta.GetType().Name}"),
        };
        json.WriteString(TypeProperty, deltaType);
        json.WriteString(property, value);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>An SSE comment: ignored by every client, but it keeps idle connections alive.</summary>
    public void WriteComment(string text)
    {
        _pending.Write(": "u8);
        WriteAscii(text);
        _pending.Write(FrameEnd);
        MoveToPipeIfLarge();
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken)
    {
        MoveToPipe();
        return _pipe.FlushAsync(cancellationToken);
    }

    private void MoveToPipeIfLarge()
    {
        if (_pending.WrittenCount >= MaxPendingBytes)
        {
            MoveToPipe();
        }
    }

    /// <summary>Hands buffered frames to the pipe without flushing (Kestrel sends them when the response ends).</summary>
    public void MoveToPipe()
    {
        if (_pending.WrittenCount > 0)
        {
            _pipe.Write(_pending.WrittenMemory.Span);
            _pending.ResetWrittenCount();
        }
    }

    /// <summary>Returns the buffer to the pool; whatever is still in it is dropped (<see cref="MoveToPipe"/> first).</summary>
    public void Dispose() => _pending.Dispose();

    private void WriteAscii(string text)
    {
        var span = _pending.GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        _pending.Advance(text.Length);
    }
}
