using System.Text.Json;
using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Abstractions.Serialization;

/// <summary>Message content: a string (one text block) or an array of blocks. Always written as an array.</summary>
public sealed class ContentBlockListConverter : JsonConverter<List<ContentBlock>>
{
    private static readonly ContentBlockConverter BlockConverter = new();

    public override List<ContentBlock> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return [TextBlock.FromToken(ref reader)];
            case JsonTokenType.StartArray:
                var blocks = new List<ContentBlock>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    blocks.Add(BlockConverter.Read(ref reader, typeof(ContentBlock), options));
                }

                return blocks;
            default:
                throw new JsonException("expected a string or an array of content blocks");
        }
    }

    public override void Write(Utf8JsonWriter writer, List<ContentBlock> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var block in value)
        {
            BlockConverter.Write(writer, block, options);
        }

        writer.WriteEndArray();
    }
}
