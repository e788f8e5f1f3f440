
namespace AnyClaude.Host.Configuration;

/// <summary>The <c>routes</c> list and each backend's <c>fallback</c> list, checked against the configured backends.</summary>
internal sealed record RoutingOptions
{
    public static RoutingOptions None { get; } = new();

    public IReadOnlyList<Route> Routes { get; init; } = [];

    /// <summary>Per backend name, the backends to try next, in order, when it cannot answer.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Fallbacks { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
}
