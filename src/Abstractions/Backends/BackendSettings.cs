namespace AnyClaude.Abstractions.Backends;

/// <summary>One configured backend instance, as the host read it from configuration (the host may pass a subtype carrying its own settings too).</summary>
public record BackendSettings
{
    /// <summary>The name routes and logs use (<c>mlx-lm</c>, <c>lmstudio</c>, or any name the user picks).</summary>
    public required string Name { get; init; }

    /// <summary>Which factory builds it (<c>mlx-lm</c>, <c>lmstudio</c>, <c>openai</c>, …).</summary>
    public required string Kind { get; init; }

    public required Uri Url { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>The upstream model name; null lets the backend choose (its default or the first it lists).</summary>
    public string? Model { get; init; }

    public int? MaxOutputTokens { get; init; }

    public int? ContextLength { get; init; }

    public bool? SupportsImages { get; init; }

    public bool? SupportsTools { get; init; }

    /// <summary>A folder holding the model's tokenizer files (<c>tokenizer.json</c>, <c>tokenizer.model</c> or <c>vocab.json</c> + <c>merges.txt</c>), to count tokens locally where the server cannot.</summary>
    public string? Tokenizer { get; init; }

    /// <summary>Settings of the backend's own that the host does not know, from its configuration section.</summary>
    public IReadOnlyDictionary<string, string?> Extra { get; init; } = new Dictionary<string, string?>();
}
