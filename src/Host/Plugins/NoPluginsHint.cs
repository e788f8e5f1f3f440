namespace AnyClaude.Host.Plugins;

/// <summary>
/// When no plugin loaded at all (the folders beside a published or installed <c>anyclaude</c> are missing or empty),
/// "mode names no configured backend" hides the cause; this says which folders were searched, that they hold no
/// plugin, and how to add one.
/// </summary>
internal static class NoPluginsHint
{
    /// <summary><paramref name="errors"/> with <paramref name="modeError"/> replaced by the hint when no plugin loaded.</summary>
    public static IReadOnlyList<string> Apply(IReadOnlyList<string> errors, string? modeError, string mode, IReadOnlyList<PluginDirectory> directories, PluginCatalog catalog)
    {
        if (modeError is null || !HoldNoPlugin(directories, catalog))
        {
            return errors;
        }

        string hint = Describe(mode, directories);
        return [.. errors.Select(error => error == modeError ? hint : error)];
    }

    /// <summary>Nothing loaded, and nothing failed to load but the folders themselves.</summary>
    public static bool HoldNoPlugin(IReadOnlyList<PluginDirectory> directories, PluginCatalog catalog) =>
        catalog.Plugins.IsEmpty && catalog.Failures.All(failure => directories.Any(d => SamePath(d.Path, failure.Path)));

    public static string Describe(string mode, IReadOnlyList<PluginDirectory> directories)
    {
        var searched = directories.Select(d => $"{d.Path} ({(Directory.Exists(d.Path) ? "no plugin in it" : "missing")})");
        return $"mode: '{mode}' needs a backend plugin, and no plugin was found: searched {string.Join(", ", searched)}. " +
            $"Add one by copying a plugin's build output into a folder of its own there (for example {Path.Combine(directories[0].Path, "MlxLm")}/), " +
            "reinstall anyclaude (the tool package and `dotnet publish src/Host` carry the mlx-lm and lmstudio plugins), " +
            "or point --plugins at a folder that holds one";
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
