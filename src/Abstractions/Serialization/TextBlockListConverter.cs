using System.Text.Json;
using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Abstractions.Serialization;

/// <summary>The system prompt: a string (one text block) or an array of text blocks. Always written as an array.</summary>
public sealed class TextBlockListConverter : JsonConverter<List<TextBlock>>
{
    public override List<TextBlock> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return [TextBlock.FromToken(ref reader)];
            case JsonTokenType.StartArray:
                var blocks = new List<TextBlock>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new JsonException("expected a text block object");
                    }

                    var block = NestedValue.Read(ref reader, AnthropicJsonContext.Default.TextBlock)
                        ?? throw new JsonException("a text block must not be null");
                    blocks.Add(block);
                }

                return blocks;
            default:
                throw new JsonException("expected a string or an array of text blocks");
        }
    }

    public override void Write(Utf8JsonWriter writer, List<TextBlock> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var block in value)
        {
            JsonSerializer.Serialize(writer, block, AnthropicJsonContext.Default.TextBlock);
        }

        writer.WriteEndArray();
    }
}
