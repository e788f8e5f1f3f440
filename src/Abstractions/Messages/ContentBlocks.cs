using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Abstractions.Messages;

/// <summary>
/// A content block of a message or a response. The <c>type</c> on the wire picks the subclass; a type this
/// model does not know is kept whole as an <see cref="UnknownBlock"/>.
/// </summary>
[JsonConverter(typeof(ContentBlockConverter))]
public abstract class ContentBlock
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public abstract string Type { get; }

    [JsonPropertyName("cache_control")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? CacheControl { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public sealed class TextBlock : ContentBlock
{
    private string? _text = "";
    private byte[]? _quoted;

    public TextBlock() { }
    public TextBlock(string text) => Text = text;

    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => ContentBlockTypes.Text;

    /// <summary>The text. A block read from a request decodes it from the JSON only when first asked for.</summary>
    [JsonIgnore]
    public string Text
    {
        get => _text ??= _quoted is null ? null! : QuotedJsonString.Decode(_quoted);
        set
        {
            _text = value;
            _quoted = null;
        }
    }

    /// <summary>The JSON <c>text</c> as the wire carries it: as received while <see cref="Text"/> is unchanged.</summary>
    [JsonPropertyName("text")]
    [JsonInclude]
    [JsonConverter(typeof(QuotedJsonStringConverter))]
    internal QuotedJsonString? TextJson
    {
        get => _quoted is not null ? new QuotedJsonString(_quoted, null) : _text is null ? null : new QuotedJsonString(null, _text);
        set
        {
            _quoted = value?.Quoted;
            _text = value?.Text;
        }
    }

    /// <summary>
    /// Whether the text starts with <paramref name="value"/> (ordinal). A block read from a request answers from its
    /// JSON token where it can, so a transform can look at the start of a long text without decoding all of it.
    /// </summary>
    public bool TextStartsWith(string value)
    {
        if (_text is not null || _quoted is null || !Ascii.IsValid(value))
        {
            return Text?.StartsWith(value, StringComparison.Ordinal) ?? false;
        }

        // ASCII is one byte a character in UTF-8, and an unescaped token byte is the text's own byte.
        var content = _quoted.AsSpan(1, _quoted.Length - 2);
        int compared = Math.Min(content.Length, value.Length);
        int escape = content[..compared].IndexOf((byte)'\\');
        int plain = escape < 0 ? compared : escape;
        for (int i = 0; i < plain; i++)
        {
            if (content[i] != value[i])
            {
                return false;
            }
        }

        return escape < 0 ? content.Length >= value.Length : Text.StartsWith(value, StringComparison.Ordinal);
    }

    /// <summary>
    /// The text as the JSON string token it arrived as (quotes included, escapes as the client wrote them), as long
    /// as nothing has replaced it: a backend can copy these bytes instead of escaping the text again.
    /// </summary>
    internal bool TryGetQuotedUtf8(out ReadOnlySpan<byte> quoted)
    {
        quoted = _quoted;
        return _quoted is not null;
    }

    /// <summary>True when the request said <c>"text": null</c>; unlike reading <see cref="Text"/>, decodes nothing.</summary>
    internal bool TextIsNull => _text is null && _quoted is null;

    internal static TextBlock FromToken(ref Utf8JsonReader reader) => new() { TextJson = QuotedJsonString.Read(ref reader) };
}

public sealed class ImageBlock : ContentBlock
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => ContentBlockTypes.Image;

    [JsonPropertyName("source")]
    public MediaSource Source { get; set; } = new();
}

public sealed class DocumentBlock : ContentBlock
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => ContentBlockTypes.Document;

    [JsonPropertyName("source")]
    public MediaSource Source { get; set; } = new();

    [JsonPropertyName("title")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Title { get; set; }

    [JsonPropertyName("context")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Context { get; set; }
}

/// <summary>The <c>source</c> of an image or a document: <c>base64</c> (<see cref="MediaType"/> + <see cref="Data"/>), <c>url</c>, <c>text</c> or <c>content</c>.</summary>
public sealed class MediaSource
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "base64";

    [JsonPropertyName("media_type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MediaType { get; set; }

    /// <summary>Base64 data for <c>base64</c> sources, the text itself for <c>text</c> sources.</summary>
    [JsonPropertyName("data")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Data { get; set; }

    [JsonPropertyName("url")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public sealed class ToolUseBlock : ContentBlock
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => ContentBlockTypes.ToolUse;

    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>The tool's input: a JSON object.</summary>
    [JsonPropertyName("input")]
    public JsonElement Input { get; set; }
}

public sealed class ToolResultBlock : ContentBlock
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => ContentBlockTypes.ToolResult;

    [JsonPropertyName("tool_use_id")]
    public string ToolUseId { get; set; } = "";

    /// <summary>The result; a plain string on the wire becomes one text block.</summary>
    [JsonPropertyName("content")]
    [JsonConverter(typeof(ContentBlockListConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ContentBlock>? Content { get; set; }

    [JsonPropertyName("is_error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? IsError { get; set; }
}

public sealed class ThinkingBlock : ContentBlock
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => ContentBlockTypes.Thinking;

    [JsonPropertyName("thinking")]
    public string Thinking { get; set; } = "";

    [JsonPropertyName("signature")]
    public string Signature { get; set; } = "";
}

public sealed class RedactedThinkingBlock : ContentBlock
{
    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => ContentBlockTypes.RedactedThinking;

    [JsonPropertyName("data")]
    public string Data { get; set; } = "";
}

/// <summary>A block of a type this model does not know, kept as it arrived.</summary>
public sealed class UnknownBlock : ContentBlock
{
    public UnknownBlock(string type, JsonElement raw)
    {
        UnknownType = type;
        Raw = raw;
    }

    [JsonPropertyName("type")]
    [JsonPropertyOrder(-10)]
    public override string Type => UnknownType;

    [JsonIgnore]
    public string UnknownType { get; }

    [JsonIgnore]
    public JsonElement Raw { get; }
}

public static class ContentBlockTypes
{
    public const string Text = "text";
    public const string Image = "image";
    public const string Document = "document";
    public const string ToolUse = "tool_use";
    public const string ToolResult = "tool_result";
    public const string Thinking = "thinking";
    public const string RedactedThinking = "redacted_thinking";
}
