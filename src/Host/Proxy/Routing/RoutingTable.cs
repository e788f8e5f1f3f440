


using AnyClaude.Host.Configuration;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.Routing;

/// <summary>
/// One consistent picture of where requests go: the default backend (<c>mode</c>), the routes in order, and each
/// backend's fallbacks. Immutable: a live change (<c>anyclaude mode</c>, a configuration reload) makes a new one, and
/// a request keeps the one it started with.
/// </summary>
internal sealed record RoutingTable(
    string Mode,
    IReadOnlyList<Route> Routes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Fallbacks,
    IReadOnlyCollection<string> BackendNames)
{
    public bool IsBackend(string name) => BackendNames.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The configured spelling of a backend name (names are case-insensitive).</summary>
    public string? CanonicalName(string name) => BackendNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    public IReadOnlyList<string> FallbacksOf(string backend) => Fallbacks.TryGetValue(backend, out var list) ? list : [];

    /// <summary>
    /// Where a request goes: a model name that names a backend (<c>lmstudio</c>, <c>lmstudio/qwen3-4b</c>) first, then
    /// the first route that matches, else the default.
    /// </summary>
    public RouteDecision Decide(RouteInput input)
    {
        if (BackendNamedModel(input.Model) is { } named)
        {
            return named;
        }

        foreach (var route in Routes)
        {
            if (route.When.Matches(input))
            {
                return new RouteDecision(route.Backend, route.Model, $"routes[{route.Index}]");
            }
        }

        return new RouteDecision(Mode, null, RouteDecision.Default);
    }

    /// <summary>
    /// The prefix of the id under which <c>/v1/models</c> lists each backend for Claude Code's <c>/model</c> picker, which
    /// keeps only ids that start with <c>claude</c> or <c>anthropic</c> (<c>claude-via-lmstudio</c> selects <c>lmstudio</c>).
    /// </summary>
    public const string PickerPrefix = "claude-via-";

    /// <summary>The id Claude Code's <c>/model</c> picker shows for <paramref name="backend"/>.</summary>
    public static string PickerId(string backend) => PickerPrefix + backend;

    /// <summary>
    /// <c>NAME</c>, <c>NAME/MODEL</c> or <c>claude-via-NAME</c> where NAME is a configured backend; null for any other
    /// model name.
    /// </summary>
    public RouteDecision? BackendNamedModel(string model)
    {
        if (CanonicalName(model) is { } whole)
        {
            return new RouteDecision(whole, null, "model names the backend");
        }

        if (model.StartsWith(PickerPrefix, StringComparison.OrdinalIgnoreCase) && CanonicalName(model[PickerPrefix.Length..]) is { } picked)
        {
            return new RouteDecision(picked, null, "model names the backend");
        }

        int slash = model.IndexOf('/');
        return slash > 0 && slash < model.Length - 1 && CanonicalName(model[..slash]) is { } prefix
            ? new RouteDecision(prefix, model[(slash + 1)..], "model names the backend")
            : null;
    }

    /// <summary>Whether any route's <c>model</c> glob names this model (so a <c>/model</c> probe for it is expected).</summary>
    public bool AnyRouteNames(string model) =>
        Routes.Any(r => r.When.MatchesModel(model));
}

/// <summary>The backend a request goes to, the upstream model if the route chose one, and why (for logs and status).</summary>
internal sealed record RouteDecision(string Backend, string? Model, string Reason)
{
    /// <summary>The <see cref="Reason"/> of a request that went to the default backend.</summary>
    public const string Default = "mode";

    public bool IsDefault => Reason == Default;
}
