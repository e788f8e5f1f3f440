using System.Text.Json;

namespace AnyClaude.OpenAICompat.Rendering;

/// <summary>What one backend needs from a rendered Chat Completions request.</summary>
public sealed record ChatRenderOptions
{
    public required string Model { get; init; }

    /// <summary>The largest <c>max_tokens</c> sent; the request's value is clamped to it (and used when absent).</summary>
    public required int MaxOutputTokens { get; init; }

    /// <summary><c>max_tokens</c>, or <c>max_completion_tokens</c> for servers that prefer it (mlx-lm).</summary>
    public string MaxTokensField { get; init; } = "max_tokens";

    /// <summary>Images become data-URI parts when true, a short text placeholder when false.</summary>
    public bool SupportsImages { get; init; }

    public ThinkingStyle ThinkingStyle { get; init; } = ThinkingStyle.None;

    /// <summary>Earlier thinking blocks go back as the assistant message's <c>reasoning_content</c>.</summary>
    public bool ReasoningInHistory { get; init; } = true;

    public bool Stream { get; init; } = true;

    /// <summary>Sent as <c>parallel_tool_calls</c> when the request has tools; null sends nothing (the server's default).</summary>
    public bool? ParallelToolCalls { get; init; }

    /// <summary>
    /// Fields of the server's own (llama.cpp's <c>cache_prompt</c>, <c>id_slot</c>, …), written into the body after the
    /// sampling settings and before <c>stream</c>; null writes none. After the messages, so they never move the prefix.
    /// </summary>
    public Action<Utf8JsonWriter>? ExtraFields { get; init; }
}
