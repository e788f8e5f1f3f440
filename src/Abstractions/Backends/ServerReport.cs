namespace AnyClaude.Abstractions.Backends;

/// <summary>
/// What a model server says about itself (its model list, <c>/props</c>, <c>/api/show</c>, …): each field null where the
/// server does not say. A backend's configured settings still win over it, and it wins over the kind's defaults.
/// </summary>
public sealed record ServerReport
{
    /// <summary>The model the server has loaded or serves by default.</summary>
    public string? Model { get; init; }

    public int? ContextLength { get; init; }

    public bool? Tools { get; init; }

    public bool? Images { get; init; }

    public bool? Reasoning { get; init; }

    public bool? PromptCache { get; init; }

    public int? Slots { get; init; }

    public bool? ReportsCachedTokens { get; init; }
}
