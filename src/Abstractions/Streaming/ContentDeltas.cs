using System.Text.Json.Serialization;

namespace AnyClaude.Abstractions.Streaming;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TextDelta), "text_delta")]
[JsonDerivedType(typeof(ThinkingDelta), "thinking_delta")]
[JsonDerivedType(typeof(SignatureDelta), "signature_delta")]
[JsonDerivedType(typeof(InputJsonDelta), "input_json_delta")]
public abstract class ContentDelta;

public sealed class TextDelta(string text) : ContentDelta
{
    [JsonPropertyName("text")]
    public string Text { get; } = text;
}

public sealed class ThinkingDelta(string thinking) : ContentDelta
{
    [JsonPropertyName("thinking")]
    public string Thinking { get; } = thinking;
}

public sealed class SignatureDelta(string signature) : ContentDelta
{
    [JsonPropertyName("signature")]
    public string Signature { get; } = signature;
}

public sealed class InputJsonDelta(string partialJson) : ContentDelta
{
    [JsonPropertyName("partial_json")]
    public string PartialJson { get; } = partialJson;
}
