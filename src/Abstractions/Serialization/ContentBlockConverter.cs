using System.Text.Json;
using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Abstractions.Serialization;

/// <summary>Reads a content block by its <c>type</c>, looked up without buffering the block twice; unknown types stay whole.</summary>
public sealed class ContentBlockConverter : JsonConverter<ContentBlock>
{
    public override ContentBlock Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a content block object");
        }

        var context = AnthropicJsonContext.Default;
        string type = PeekType(reader) ?? throw new JsonException("a content block needs a string 'type'");
        ContentBlock? block = type switch
        {
            ContentBlockTypes.Text => NestedValue.Read(ref reader, context.TextBlock),
            ContentBlockTypes.Image => NestedValue.Read(ref reader, context.ImageBlock),
            ContentBlockTypes.Document => NestedValue.Read(ref reader, context.DocumentBlock),
            ContentBlockTypes.ToolUse => NestedValue.Read(ref reader, context.ToolUseBlock),
            ContentBlockTypes.ToolResult => NestedValue.Read(ref reader, context.ToolResultBlock),
            ContentBlockTypes.Thinking => NestedValue.Read(ref reader, context.ThinkingBlock),
            ContentBlockTypes.RedactedThinking => NestedValue.Read(ref reader, context.RedactedThinkingBlock),
            _ => new UnknownBlock(type, JsonElement.ParseValue(ref reader)),
        };
        return block ?? throw new JsonException("a content block must not be null");
    }

    public override void Write(Utf8JsonWriter writer, ContentBlock value, JsonSerializerOptions options)
    {
        var context = AnthropicJsonContext.Default;
        switch (value)
        {
            case TextBlock text: JsonSerializer.Serialize(writer, text, context.TextBlock); break;
            case ImageBlock image: JsonSerializer.Serialize(writer, image, context.ImageBlock); break;
            case DocumentBlock document: JsonSerializer.Serialize(writer, document, context.DocumentBlock); break;
            case ToolUseBlock toolUse: JsonSerializer.Serialize(writer, toolUse, context.ToolUseBlock); break;
            case ToolResultBlock toolResult: JsonSerializer.Serialize(writer, toolResult, context.ToolResultBlock); break;
            case ThinkingBlock thinking: JsonSerializer.Serialize(writer, thinking, context.ThinkingBlock); break;
            case RedactedThinkingBlock redacted: JsonSerializer.Serialize(writer, redacted, context.RedactedThinkingBlock); break;
            case UnknownBlock unknown: unknown.Raw.WriteTo(writer); break;
            default: throw new JsonException($"cannot write a content block of type {value.GetType().Name}");
        }
    }

    // The reader is a struct: this scans a copy, so the caller's position is untouched.
    private static string? PeekType(Utf8JsonReader reader)
    {
        int depth = reader.CurrentDepth;
        while (reader.Read())
        {
            if (reader.CurrentDepth == depth && reader.TokenType == JsonTokenType.EndObject)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != depth + 1)
            {
                continue;
            }

            bool isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }
}
