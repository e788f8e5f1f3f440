using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Serialization;

namespace AnyClaude.Abstractions.Serialization;

/// <summary>
/// A JSON string kept as the token it was read from (<see cref="Quoted"/>, quotes included) or, when built in code,
/// as <see cref="Text"/>. A Claude Code request carries tens of kilobytes of system prompt that the proxy passes on
/// unchanged: copying the token costs a fraction of decoding it to UTF-16 and escaping it again. Public only because
/// the serializer's generated code names it; plugins read and write <see cref="Messages.TextBlock.Text"/>.
/// </summary>
public sealed record QuotedJsonString(byte[]? Quoted, string? Text)
{
    internal static QuotedJsonString Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("wrong type: expected a string");
        }

        // ValueSpan is the token between its quotes, escapes untouched and checked by the parser. The parser checks
        // UTF-8 only where it unescapes, and these bytes may be passed on as they are: check them here.
        var value = reader.ValueSpan;
        if (!Utf8.IsValid(value))
        {
            throw new JsonException("a string is not valid UTF-8");
        }

        byte[] quoted = GC.AllocateUninitializedArray<byte>(value.Length + 2);
        quoted[0] = (byte)'"';
        value.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        return new QuotedJsonString(quoted, null);
    }

    internal static string Decode(byte[] quoted)
    {
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString()!;
    }
}

internal sealed class QuotedJsonStringConverter : JsonConverter<QuotedJsonString>
{
    public override QuotedJsonString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        QuotedJsonString.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, QuotedJsonString value, JsonSerializerOptions options)
    {
        if (value.Quoted is { } quoted)
        {
            writer.WriteRawValue(quoted, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
