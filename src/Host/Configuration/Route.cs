using System.IO.Enumeration;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Configuration;

/// <summary>One entry of <c>routes</c>: when every condition holds, the request goes to <see cref="Backend"/> (asking for <see cref="Model"/> if set).</summary>
internal sealed record Route(int Index, RouteCondition When, string Backend, string? Model)
{
    public override string ToString() => $"routes[{Index}] {When} -> {Backend}{(Model is null ? "" : $" ({Model})")}";
}

/// <summary>A route's <c>when</c>: absent conditions do not count; those present must all hold.</summary>
internal sealed record RouteCondition
{
    /// <summary>A case-insensitive glob (<c>*</c>, <c>?</c>) on the requested model.</summary>
    public string? Model { get; init; }

    public bool? Background { get; init; }

    public RequestClass? Class { get; init; }

    public bool? Images { get; init; }

    public int? MinPromptTokens { get; init; }

    public bool? Thinking { get; init; }

    public bool? Tools { get; init; }

    public bool Matches(RouteInput input) =>
        (Model is null || MatchesModel(input.Model))
        && (Background is not { } background || background == input.IsBackground)
        && (Class is not { } requestClass || requestClass == input.Class)
        && (Tools is not { } tools || tools == input.HasTools)
        && (Thinking is not { } thinking || thinking == input.HasThinking)
        && (Images is not { } images || images == input.HasImages)
        && (MinPromptTokens is not { } min || input.PromptTokens >= min);

    /// <summary>The <c>model</c> glob alone: false when the route has none.</summary>
    public bool MatchesModel(string model) => Model is not null && FileSystemName.MatchesSimpleExpression(Model, model, ignoreCase: true);

    public override string ToString()
    {
        var parts = new List<string>();
        Add(parts, "model", Model);
        Add(parts, "background", Background);
        Add(parts, "class", Class is { } c ? RequestClasses.NameOf(c) : null);
        Add(parts, "images", Images);
        Add(parts, "minPromptTokens", MinPromptTokens);
        Add(parts, "thinking", Thinking);
        Add(parts, "tools", Tools);
        return parts.Count == 0 ? "always" : string.Join(" ", parts);
    }

    private static void Add(List<string> parts, string name, object? value)
    {
        if (value is not null)
        {
            parts.Add($"{name}={(value is bool b ? (b ? "true" : "false") : value)}");
        }
    }
}
