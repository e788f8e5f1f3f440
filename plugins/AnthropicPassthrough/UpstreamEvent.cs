using System.Text.Json;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Plugins.AnthropicPassthrough;

/// <summary>
/// One SSE frame of the server's answer, read into the SDK's event model (so routing, metrics and the response
/// pipeline see the same events as from any other backend); an event type this model does not know is skipped.
/// </summary>
/// <param name="SentUsage">For a <c>message_delta</c>, the prompt-side usage fields the server wrote (<see cref="DeltaUsage"/>).</param>
internal readonly record struct UpstreamEvent(MessageStreamEvent? Event, string? Error, PromptUsageFields SentUsage = PromptUsageFields.All)
{
    private static readonly HashSet<string> KnownTypes =
    [
        StreamEventTypes.MessageStart, StreamEventTypes.ContentBlockStart, StreamEventTypes.ContentBlockDelta,
        StreamEventTypes.ContentBlockStop, StreamEventTypes.MessageDelta, StreamEventTypes.MessageStop,
        StreamEventTypes.Ping, StreamEventTypes.Error,
    ];

    private static readonly HashSet<string> KnownDeltas = ["text_delta", "thinking_delta", "signature_delta", "input_json_delta"];

    public static UpstreamEvent Parse(string eventType, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || data.SequenceEqual("[DONE]"u8))
        {
            return default;
        }

        try
        {
            var reader = new Utf8JsonReader(data);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            string? type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            if (type is null || !KnownTypes.Contains(type) || IsUnknownDelta(type, root))
            {
                return default;
            }

            var streamEvent = root.Deserialize(AnthropicJsonContext.Default.MessageStreamEvent);
            return type == StreamEventTypes.MessageDelta
                ? new UpstreamEvent(streamEvent, null, DeltaUsage.SentIn(root))
                : new UpstreamEvent(streamEvent, null);
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException or InvalidOperationException)
        {
            return new UpstreamEvent(null, exception.Message);
        }
    }

    // A delta kind newer than this model (citations, …) is dropped rather than failing the whole answer.
    private static bool IsUnknownDelta(string type, JsonElement root) =>
        type == StreamEventTypes.ContentBlockDelta
        && (!root.TryGetProperty("delta", out var delta)
            || !delta.TryGetProperty("type", out var kind)
            || kind.ValueKind != JsonValueKind.String
            || !KnownDeltas.Contains(kind.GetString()!));
}
