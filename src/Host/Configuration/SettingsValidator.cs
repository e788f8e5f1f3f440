using AnyClaude.Abstractions.Backends;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Configuration;

/// <summary>
/// Reports keys the <see cref="SettingsSchema"/> does not know, where they were written: an unknown top-level key
/// (<c>"mdoe"</c>) is an error, since it would silently leave a default in place; an unknown key of a backend is a
/// warning, since it may be an extra setting of the backend's plugin, and is passed on to it anyway. Each message
/// names the nearest known key when there is a close one.
/// </summary>
internal sealed class SettingsValidator(IConfiguration merged, IReadOnlyCollection<IBackendFactory> factories)
{
    /// <summary>Checks every key one source wrote (<paramref name="paths"/>, ':'-separated); <paramref name="source"/> prefixes its messages.</summary>
    public void Check(string source, IEnumerable<string> paths, ICollection<string> errors, ICollection<string> warnings)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            var segments = path.Split(ConfigurationPath.KeyDelimiter);
            if (!Contains(SettingsSchema.TopLevel, segments[0]))
            {
                if (reported.Add(segments[0]))
                {
                    errors.Add($"{source}: unknown setting '{segments[0]}'{Hint(segments[0], SettingsSchema.TopLevel, listAll: true)}");
                }

                continue;
            }

            if (segments.Length < 3 || !segments[0].Equals(SettingsSchema.Backends, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string name = segments[1];
            string key = segments[2];
            if (Contains(SettingsSchema.Backend, key) || BackendExtras(name) is not { } extras || Contains(extras, key) || !reported.Add($"{name}:{key}"))
            {
                continue;
            }

            warnings.Add($"{source}: backends.{name}: unknown setting '{key}'{Hint(key, [.. SettingsSchema.Backend, .. extras], listAll: false)}; passed to the plugin as an extra setting");
        }
    }

    /// <summary>Every key path a configuration provider holds (leaves only).</summary>
    public static IEnumerable<string> PathsOf(IConfigurationProvider provider, string? parent = null)
    {
        foreach (var key in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            string path = parent is null ? key : ConfigurationPath.Combine(parent, key);
            bool any = false;
            foreach (var child in PathsOf(provider, path))
            {
                any = true;
                yield return child;
            }

            if (!any)
            {
                yield return path;
            }
        }
    }

    /// <summary>The extra settings the backend's kind declares; null when no loaded plugin provides the kind (nothing is known to check against).</summary>
    private IReadOnlyCollection<string>? BackendExtras(string backend)
    {
        string kind = merged[ConfigurationPath.Combine(SettingsSchema.Backends, backend, "kind")] ?? backend;
        return factories.FirstOrDefault(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase))?.ExtraSettings;
    }

    private static bool Contains(IEnumerable<string> keys, string key) => keys.Contains(key, StringComparer.OrdinalIgnoreCase);

    private static string Hint(string key, IReadOnlyCollection<string> known, bool listAll)
    {
        var nearest = known
            .Select(candidate => (Candidate: candidate, Distance: Distance(key.ToLowerInvariant(), candidate.ToLowerInvariant())))
            .MinBy(pair => pair.Distance);
        if (nearest.Candidate is not null && nearest.Distance <= Math.Max(1, Math.Min(3, key.Length / 3)))
        {
            return $" (did you mean '{nearest.Candidate}'?)";
        }

        return listAll ? $" (known: {string.Join(", ", known)})" : "";
    }

    /// <summary>Edits (insert, delete, replace, swap two neighbours) from one key to another: "mdoe" is one from "mode".</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
