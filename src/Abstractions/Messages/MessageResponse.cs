using System.Text.Json.Serialization;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Abstractions.Messages;

/// <summary>A complete assistant message: the non-streaming answer, and the <c>message</c> of <c>message_start</c>.</summary>
public sealed class MessageResponse
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("type")]
    public string Type => "message";

    [JsonPropertyName("role")]
    public string Role => MessageRoles.Assistant;

    [JsonPropertyName("model")]
    public string Model { get; set; } = "";

    [JsonPropertyName("content")]
    [JsonConverter(typeof(ContentBlockListConverter))]
    public List<ContentBlock> Content { get; set; } = [];

    [JsonPropertyName("stop_reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopReason { get; set; }

    [JsonPropertyName("stop_sequence")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopSequence { get; set; }

    [JsonPropertyName("usage")]
    public Usage Usage { get; set; } = new();
}

public sealed class Usage
{
    [JsonPropertyName("input_tokens")]
    public int InputTokens { get; set; }

    [JsonPropertyName("output_tokens")]
    public int OutputTokens { get; set; }

    [JsonPropertyName("cache_creation_input_tokens")]
    public int CacheCreationInputTokens { get; set; }

    [JsonPropertyName("cache_read_input_tokens")]
    public int CacheReadInputTokens { get; set; }

    public Usage Clone() => (Usage)MemberwiseClone();
}

public static class StopReasons
{
    public const string EndTurn = "end_turn";
    public const string MaxTokens = "max_tokens";
    public const string StopSequence = "stop_sequence";
    public const string ToolUse = "tool_use";
    public const string PauseTurn = "pause_turn";
    public const string Refusal = "refusal";
    public const string ModelContextWindowExceeded = "model_context_window_exceeded";
}
