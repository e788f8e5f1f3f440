using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Http;

namespace AnyClaude.Host.Streaming;

/// <summary>Writes Anthropic SSE frames (<c>event: type\ndata: json\n\n</c>) straight into the response pipe.</summary>
internal sealed class SseEventWriter
{
    private static readonly byte[] EventPrefix = "event: "u8.ToArray();
    private static readonly byte[] DataPrefix = "\ndata: "u8.ToArray();
    private static readonly byte[] FrameEnd = "\n\n"u8.ToArray();

    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;

    public SseEventWriter(PipeWriter pipe)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, AnthropicJson.WriterOptions);
    }

    public void Write(MessageStreamEvent streamEvent)
    {
        _pipe.Write(EventPrefix);
        WriteAscii(streamEvent.Type);
        _pipe.Write(DataPrefix);
        _json.Reset(_pipe);
        JsonSerializer.Serialize(_json, streamEvent, AnthropicJsonContext.Default.MessageStreamEvent);
        _json.Flush();
        _pipe.Write(FrameEnd);
    }

    /// <summary>An SSE comment: ignored by every client, but it keeps idle connections alive.</summary>
    public void WriteComment(string text)
    {
        _pipe.Write(": "u8);
        WriteAscii(text);
        _pipe.Write(FrameEnd);
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) => _pipe.FlushAsync(cancellationToken);

    private void WriteAscii(string text)
    {
        var span = _pipe.GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        _pipe.Advance(text.Length);
    }
}
