using System.Text.Json;
using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Abstractions.Messages;

/// <summary>
/// A request to the Anthropic Messages API (<c>POST /v1/messages</c>). Mutable so that transforms and
/// scripts can rewrite it; fields this model does not name are kept in <see cref="ExtensionData"/>.
/// </summary>
public sealed class MessagesRequest
{
    [JsonPropertyName("model")]
    public string Model { get; set; } = "";

    [JsonPropertyName("messages")]
    public List<Message> Messages { get; set; } = [];

    /// <summary>The system prompt; a plain string on the wire becomes one text block.</summary>
    [JsonPropertyName("system")]
    [JsonConverter(typeof(TextBlockListConverter))]
    public List<TextBlock>? System { get; set; }

    [JsonPropertyName("tools")]
    public List<Tool>? Tools { get; set; }

    [JsonPropertyName("tool_choice")]
    public ToolChoice? ToolChoice { get; set; }

    [JsonPropertyName("metadata")]
    public JsonElement? Metadata { get; set; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("thinking")]
    public ThinkingConfig? Thinking { get; set; }

    [JsonPropertyName("output_config")]
    public OutputConfig? OutputConfig { get; set; }

    [JsonPropertyName("stop_sequences")]
    public List<string>? StopSequences { get; set; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
