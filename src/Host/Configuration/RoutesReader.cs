using System.Globalization;
using AnyClaude.Host.Requests;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Configuration;

/// <summary>
/// Reads <c>routes</c> and the backends' <c>fallback</c> lists. A route or fallback naming a backend that is not
/// configured, an unknown key, or a value of the wrong kind is an error naming the route's index and the key.
/// </summary>
internal static class RoutesReader
{
    public static readonly string[] RouteKeys = ["when", "backend", "model"];
    public static readonly string[] ConditionKeys = ["model", "background", "class", "images", "minPromptTokens", "thinking", "tools"];

    public static RoutingOptions Read(IConfiguration configuration, IReadOnlyCollection<string> backendNames, List<string> errors)
    {
        var routes = new List<Route>();
        var section = configuration.GetSection("routes");
        if (section.Value is { Length: > 0 })
        {
            errors.Add("routes: must be a list of {\"when\": {…}, \"backend\": \"NAME\"} entries");
        }

        foreach (var entry in section.GetChildren().OrderBy(c => IndexOf(c.Key)))
        {
            if (IndexOf(entry.Key) == int.MaxValue)
            {
                errors.Add($"routes: must be a list, not an object (found key '{entry.Key}')");
                continue;
            }

            if (ReadRoute(IndexOf(entry.Key), entry, backendNames, errors) is { } route)
            {
                routes.Add(route);
            }
        }

        return new RoutingOptions { Routes = routes, Fallbacks = ReadFallbacks(configuration, backendNames, errors) };
    }

    private static Route? ReadRoute(int index, IConfigurationSection entry, IReadOnlyCollection<string> backendNames, List<string> errors)
    {
        string prefix = $"routes[{index}]";
        int before = errors.Count;
        foreach (var key in entry.GetChildren().Select(c => c.Key).Where(k => !RouteKeys.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{prefix}.{key}: unknown key (a route has {string.Join(", ", RouteKeys)})");
        }

        string? backend = entry["backend"];
        if (string.IsNullOrWhiteSpace(backend))
        {
            errors.Add($"{prefix}.backend: missing; name the backend this route sends requests to (configured: {string.Join(", ", backendNames)})");
        }
        else if (!backendNames.Contains(backend, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{prefix}.backend: '{backend}' names no configured backend, so the route can never be used (configured: {string.Join(", ", backendNames)})");
        }

        var when = ReadCondition(entry.GetSection("when"), $"{prefix}.when", errors);
        if (errors.Count > before || when is null)
        {
            return null;
        }

        string canonical = backendNames.First(n => string.Equals(n, backend, StringComparison.OrdinalIgnoreCase));
        return new Route(index, when, canonical, string.IsNullOrWhiteSpace(entry["model"]) ? null : entry["model"]);
    }

    private static RouteCondition? ReadCondition(IConfigurationSection when, string prefix, List<string> errors)
    {
        if (when.Value is { Length: > 0 } scalar)
        {
            errors.Add($"{prefix}: '{scalar}' is not an object of conditions ({string.Join(", ", ConditionKeys)})");
            return null;
        }

        int before = errors.Count;
        foreach (var child in when.GetChildren())
        {
            if (!ConditionKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{prefix}.{child.Key}: unknown condition (known: {string.Join(", ", ConditionKeys)})");
            }
            else if (child.Value is null)
            {
                errors.Add($"{prefix}.{child.Key}: must be a single value, not a list or an object");
            }
        }

        string? classText = when["class"];
        RequestClass? requestClass = null;
        if (classText is not null)
        {
            if (RequestClasses.TryParse(classText, out var parsed))
            {
                requestClass = parsed;
            }
            else
            {
                errors.Add($"{prefix}.class: '{classText}' is not a request class (one of {string.Join(", ", RequestClasses.Names)})");
            }
        }

        var condition = new RouteCondition
        {
            Model = when["model"] is { Length: > 0 } model ? model : null,
            Background = Bool(when, "background", prefix, errors),
            Class = requestClass,
            Images = Bool(when, "images", prefix, errors),
            MinPromptTokens = Int(when, "minPromptTokens", prefix, errors),
            Thinking = Bool(when, "thinking", prefix, errors),
            Tools = Bool(when, "tools", prefix, errors),
        };
        return errors.Count > before ? null : condition;
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadFallbacks(IConfiguration configuration, IReadOnlyCollection<string> backendNames, List<string> errors)
    {
        var fallbacks = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var backend in configuration.GetSection("backends").GetChildren())
        {
            var section = backend.GetSection("fallback");
            if (!section.Exists())
            {
                continue;
            }

            var names = ConfigurationLoader.ReadList(section) ?? [];
            var valid = new List<string>();
            foreach (var name in names)
            {
                if (string.Equals(name, backend.Key, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"backends.{backend.Key}.fallback: a backend cannot fall back to itself");
                }
                else if (backendNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) is { } canonical)
                {
                    valid.Add(canonical);
                }
                else
                {
                    errors.Add($"backends.{backend.Key}.fallback: '{name}' names no configured backend (configured: {string.Join(", ", backendNames)})");
                }
            }

            fallbacks[backend.Key] = valid;
        }

        return fallbacks;
    }

    private static bool? Bool(IConfiguration section, string key, string prefix, List<string> errors)
    {
        string? text = section[key];
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out bool value))
        {
            return value;
        }

        errors.Add($"{prefix}.{key}: '{text}' is not true or false");
        return null;
    }

    private static int? Int(IConfiguration section, string key, string prefix, List<string> errors)
    {
        string? text = section[key];
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0)
        {
            return value;
        }

        errors.Add($"{prefix}.{key}: '{text}' is not a whole number of tokens (0 or more)");
        return null;
    }

    private static int IndexOf(string key) => int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index : int.MaxValue;
}
