using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;

namespace AnyClaude.Host.Cli;

/// <summary><c>anyclaude plugins [--plugins DIR]</c>: what the plugin folders hold, as aligned text. Always exits 0.</summary>
internal static class PluginsCommand
{
    public static int Run(string? directory, TextWriter output)
    {
        var directories = PluginManager.DirectoriesFor(directory, ConfigurationLoader.UserDirectory);
        using var plugins = new PluginManager(directories);
        Write(plugins.Reload(), directories, output);
        return 0;
    }

    public static void Write(PluginCatalog catalog, IReadOnlyList<PluginDirectory> directories, TextWriter output)
    {
        output.WriteLine("Plugin folders:");
        foreach (var directory in directories)
        {
            output.WriteLine($"  {directory.Path}{(Directory.Exists(directory.Path) ? "" : " (missing)")}");
        }

        output.WriteLine();
        output.WriteLine($"Loaded plugins ({catalog.Plugins.Length}):");
        WriteTable(output, ["NAME", "VERSION", "PATH"], catalog.Plugins.Select(p => new[] { p.Name, p.Version, p.Path }));

        output.WriteLine();
        output.WriteLine($"Backend kinds ({catalog.BackendKinds.Length}):");
        WriteTable(output, ["KIND", "PLUGIN", "DEFAULT URL"], catalog.BackendKinds.Select(k => new[]
        {
            k.Kind, k.Plugin?.Name ?? "(built in)", k.Factory.Defaults?.Url.ToString() ?? "-",
        }));

        output.WriteLine();
        output.WriteLine($"Request transforms ({catalog.Transforms.Length}):");
        WriteTable(output, ["NAME", "PLUGIN", "TYPE"], catalog.Transforms.Select(t => new[] { t.Transform.Name, t.Plugin.Name, t.Transform.GetType().FullName ?? "?" }));

        output.WriteLine();
        output.WriteLine($"Failed ({catalog.Failures.Length}):");
        foreach (var failure in catalog.Failures)
        {
            output.WriteLine($"  {failure.Path}");
            output.WriteLine($"    {failure.Reason}");
        }
    }

    private static void WriteTable(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            output.WriteLine("  (none)");
            return;
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
        output.WriteLine("  " + string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in all)
        {
            output.WriteLine("  " + string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }
}
