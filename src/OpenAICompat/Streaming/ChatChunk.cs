using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnyClaude.OpenAICompat.Streaming;

/// <summary>One <c>data:</c> payload of a Chat Completions stream (only the fields the proxy reads).</summary>
public sealed class ChatChunk
{
    [JsonPropertyName("choices")]
    public List<ChatChoice>? Choices { get; set; }

    [JsonPropertyName("usage")]
    public ChatUsage? Usage { get; set; }

    /// <summary>Some servers report a failure inside the stream.</summary>
    [JsonPropertyName("error")]
    public JsonElement? Error { get; set; }

    /// <summary>llama.cpp's per-answer timings, in its last chunk.</summary>
    [JsonPropertyName("timings")]
    public ChatTimings? Timings { get; set; }

    /// <summary>llama.cpp's prompt-processing progress, in the chunks it sends while it prefills when asked with <c>return_progress</c>.</summary>
    [JsonPropertyName("prompt_progress")]
    public ChatPromptProgress? PromptProgress { get; set; }
}

/// <summary>
/// llama.cpp's <c>prompt_progress</c>: of <c>total</c> prompt tokens, <c>processed</c> are in the slot so far (the
/// <c>cache</c> ones it reused included), after <c>time_ms</c>.
/// </summary>
public sealed class ChatPromptProgress
{
    [JsonPropertyName("total")]
    public int? Total { get; set; }

    [JsonPropertyName("cache")]
    public int? Cache { get; set; }

    [JsonPropertyName("processed")]
    public int? Processed { get; set; }

    [JsonPropertyName("time_ms")]
    public int? TimeMs { get; set; }
}

/// <summary>
/// llama.cpp's <c>timings</c>: <c>cache_n</c> prompt tokens taken from the slot's cache, <c>prompt_n</c> prompt tokens
/// evaluated, <c>predicted_n</c> tokens generated, and the generation speed.
/// </summary>
public sealed class ChatTimings
{
    [JsonPropertyName("cache_n")]
    public int? CacheN { get; set; }

    [JsonPropertyName("prompt_n")]
    public int? PromptN { get; set; }

    [JsonPropertyName("predicted_n")]
    public int? PredictedN { get; set; }

    [JsonPropertyName("predicted_per_second")]
    public double? PredictedPerSecond { get; set; }
}

public sealed class ChatChoice
{
    [JsonPropertyName("delta")]
    public ChatDelta? Delta { get; set; }

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; set; }

    /// <summary>vLLM names the stop string that ended generation here.</summary>
    [JsonPropertyName("stop_reason")]
    public JsonElement? StopReason { get; set; }
}

public sealed class ChatDelta
{
    [JsonPropertyName("content")]
    public string? Content { get; set; }

    [JsonPropertyName("reasoning")]
    public string? Reasoning { get; set; }

    [JsonPropertyName("reasoning_content")]
    public string? ReasoningContent { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<ChatToolCallDelta>? ToolCalls { get; set; }
}

public sealed class ChatToolCallDelta
{
    [JsonPropertyName("index")]
    public int? Index { get; set; }

    /// <summary>A string on most servers, a number on some LM Studio versions.</summary>
    [JsonPropertyName("id")]
    public JsonElement? Id { get; set; }

    [JsonPropertyName("function")]
    public ChatFunctionDelta? Function { get; set; }
}

public sealed class ChatFunctionDelta
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("arguments")]
    public string? Arguments { get; set; }
}

public sealed class ChatUsage
{
    [JsonPropertyName("prompt_tokens")]
    public int PromptTokens { get; set; }

    [JsonPropertyName("completion_tokens")]
    public int CompletionTokens { get; set; }

    [JsonPropertyName("prompt_tokens_details")]
    public ChatPromptTokensDetails? PromptTokensDetails { get; set; }
}

public sealed class ChatPromptTokensDetails
{
    [JsonPropertyName("cached_tokens")]
    public int? CachedTokens { get; set; }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ChatModelList))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;

/// <summary><c>GET /v1/models</c> of an OpenAI-compatible server.</summary>
public sealed class ChatModelList
{
    [JsonPropertyName("data")]
    public List<ChatModel>? Data { get; set; }
}

public sealed class ChatModel
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("created")]
    public long? Created { get; set; }
}
