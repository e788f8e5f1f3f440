using AnyClaude.Abstractions.Backends;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Configuration;

/// <summary>
/// The backends a configuration gets without naming them: every plugin's default backend (mlx-lm on 8080, lmstudio on
/// 1234, …) when no configuration layer names a backend at all, so anyclaude runs with nothing configured. Once a
/// configuration names its own backends, it gets just those, plus a default backend only when it is asked for by
/// name: configured under that name (its kind and URL then default to the built-in ones), chosen as the mode
/// (<c>--mode lmstudio</c>), or pointed somewhere by its URL variable (<c>LMSTUDIO_URL</c>). The seed tool's
/// variables (<c>MLX_LM_URL</c>, <c>MLX_LM_API_KEY</c>, <c>MLX_LM_MODEL</c>, …) set their default backend's fields.
/// </summary>
internal static class BuiltInBackends
{
    public const string DefaultMode = "mlx-lm";

    /// <param name="userLayers">The configuration files and <c>ANYCLAUDE_*</c> variables, without anything built in.</param>
    /// <returns>
    /// The built-in layer (lowest of all), the seed variables' layer (above the files), and the built-in backends
    /// there only because nothing names a backend (not the mode, no URL variable of theirs set).
    /// </returns>
    public static (Dictionary<string, string?> Defaults, Dictionary<string, string?> SeedVariables, IReadOnlySet<string> Unasked) For(
        IReadOnlyCollection<IBackendFactory> factories,
        IReadOnlyDictionary<string, string?> environment,
        IConfiguration userLayers,
        string? commandLineMode)
    {
        var named = userLayers.GetSection("backends").GetChildren().Select(c => c.Key).ToList();
        string? mode = commandLineMode ?? (string.IsNullOrWhiteSpace(userLayers["mode"]) ? null : userLayers["mode"]);
        var defaults = new Dictionary<string, string?>();
        var seedVariables = new Dictionary<string, string?>();
        var unasked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var factory in factories)
        {
            if (factory.Defaults is not { } d)
            {
                continue;
            }

            bool asked = named.Count == 0
                || named.Contains(d.Name, StringComparer.OrdinalIgnoreCase)
                || string.Equals(mode, d.Name, StringComparison.OrdinalIgnoreCase)
                || IsSet(environment, d.UrlVariable);
            if (!asked)
            {
                continue;
            }

            if (named.Count == 0 && !string.Equals(mode ?? DefaultMode, d.Name, StringComparison.OrdinalIgnoreCase) && !IsSet(environment, d.UrlVariable))
            {
                unasked.Add(d.Name);
            }

            defaults[$"backends:{d.Name}:kind"] = factory.Kind;
            defaults[$"backends:{d.Name}:url"] = d.Url.ToString();
            MapVariable(environment, d.UrlVariable, $"backends:{d.Name}:url", seedVariables);
            MapVariable(environment, d.ApiKeyVariable, $"backends:{d.Name}:apiKey", seedVariables);
            MapVariable(environment, d.ModelVariable, $"backends:{d.Name}:model", seedVariables);
        }

        // With one configured backend, it is the default; with several, the configuration says which, unless one of
        // them has the built-in default's name (or it is an error).
        if (named.Count == 1)
        {
            defaults["mode"] = named[0];
        }
        else if (named.Count == 0 || named.Contains(DefaultMode, StringComparer.OrdinalIgnoreCase))
        {
            defaults["mode"] = DefaultMode;
        }

        return (defaults, seedVariables, unasked);
    }

    private static bool IsSet(IReadOnlyDictionary<string, string?> environment, string? variable) =>
        variable is not null && !string.IsNullOrEmpty(environment.GetValueOrDefault(variable));

    private static void MapVariable(IReadOnlyDictionary<string, string?> environment, string? variable, string key, Dictionary<string, string?> target)
    {
        if (IsSet(environment, variable))
        {
            target[key] = environment[variable!];
        }
    }
}
