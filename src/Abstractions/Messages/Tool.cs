using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnyClaude.Abstractions.Messages;

public sealed class Tool
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("description")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Description { get; set; }

    /// <summary>The JSON schema of the tool's input, kept byte for byte as received.</summary>
    [JsonPropertyName("input_schema")]
    public JsonElement InputSchema { get; set; }

    /// <summary>Server tools (web search, …) carry a type; custom tools usually leave it out.</summary>
    [JsonPropertyName("type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; set; }

    [JsonPropertyName("cache_control")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? CacheControl { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

/// <summary><c>tool_choice</c>: <c>auto</c>, <c>any</c>, <c>tool</c> (with <see cref="Name"/>) or <c>none</c>.</summary>
public sealed class ToolChoice
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = ToolChoiceTypes.Auto;

    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("disable_parallel_tool_use")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DisableParallelToolUse { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public static class ToolChoiceTypes
{
    public const string Auto = "auto";
    public const string Any = "any";
    public const string Tool = "tool";
    public const string None = "none";
}

/// <summary><c>thinking</c>: <c>enabled</c> (with a budget), <c>adaptive</c> or <c>disabled</c>.</summary>
public sealed class ThinkingConfig
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "disabled";

    [JsonPropertyName("budget_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BudgetTokens { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    [JsonIgnore]
    public bool IsEnabled => Type is "enabled" or "adaptive";
}

/// <summary><c>output_config</c>: Claude Code sends <c>{"effort": "high"}</c> next to adaptive thinking.</summary>
public sealed class OutputConfig
{
    [JsonPropertyName("effort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Effort { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
