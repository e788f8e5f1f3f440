namespace AnyClaude.Abstractions.Backends;

/// <summary>What a backend can do; the host picks request transforms and warnings from it.</summary>
public sealed record BackendCapabilities
{
    public bool Tools { get; init; } = true;

    public bool Images { get; init; }

    public bool Reasoning { get; init; } = true;

    /// <summary>The server reuses the KV cache of a shared prompt prefix, so byte-stable prompts pay off.</summary>
    public bool PromptCache { get; init; }

    /// <summary>The model the server serves, as configured or as the server reports it; null when neither says.</summary>
    public string? Model { get; init; }

    /// <summary>Context window in tokens, when known.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Where <see cref="ContextLength"/> came from: configured, reported by the server, or the kind's default.</summary>
    public ContextLengthSource ContextLengthSource { get; init; }

    /// <summary>The largest <c>max_tokens</c> sent upstream; larger requests are clamped to it.</summary>
    public int MaxOutputTokens { get; init; } = 16384;

    /// <summary>How many requests the server keeps a prompt cache for at once (llama.cpp's <c>--parallel</c> slots), when known.</summary>
    public int? Slots { get; init; }

    /// <summary>
    /// Whether the server reports cached prompt tokens in its usage; false for servers that never do (a 0 from them
    /// means "not reported", not "nothing cached"); null when unknown.
    /// </summary>
    public bool? ReportsCachedTokens { get; init; }
}
