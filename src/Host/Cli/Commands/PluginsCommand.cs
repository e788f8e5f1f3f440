using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Scripting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude plugins [--plugins DIR] [--scripts DIR] [--config FILE]</c>: what the plugin folders hold, and the
/// request and response pipelines each configured backend gets, as aligned text. Always exits 0.
/// </summary>
internal static class PluginsCommand
{
    public static int Run(CommandLineSettings commandLine, IReadOnlyDictionary<string, string?> environment, TextWriter output)
    {
        var directories = PluginManager.DirectoriesFor(commandLine.PluginsDirectory, ConfigurationLoader.UserDirectory);
        using var plugins = new PluginManager(directories);
        var catalog = plugins.Reload();
        Write(catalog, directories, output);
        WritePipelines(catalog, directories, commandLine, environment, output);
        return 0;
    }

    private static void WritePipelines(PluginCatalog catalog, IReadOnlyList<PluginDirectory> directories, CommandLineSettings commandLine, IReadOnlyDictionary<string, string?> environment, TextWriter output)
    {
        output.WriteLine();
        var loaded = ConfigurationLoader.Load(commandLine, catalog.BackendFactories, environment, Directory.GetCurrentDirectory());
        if (loaded.Options is not { } options)
        {
            output.WriteLine("Request pipelines: not shown, the configuration has problems:");
            foreach (var error in NoPluginsHint.Apply(loaded.Errors, loaded.ModeError, loaded.Mode, directories, catalog))
            {
                output.WriteLine($"  {error}");
            }

            return;
        }

        foreach (var warning in loaded.Warnings)
        {
            output.WriteLine($"Warning: {warning}");
        }

        var scripts = ScriptLoader.Load(options.ScriptDirectories, options.ScriptCacheDirectory);
        using var backends = new BackendRegistry(options, catalog.BackendFactories, NullLoggerFactory.Instance, TimeProvider.System);
        var pipelines = new RequestPipelines(options, backends, new TransformCatalog(catalog.RequestTransforms, scripts), NullLoggerFactory.Instance);
        output.WriteLine($"Request pipelines (mode: {options.Mode}):");
        foreach (var pipeline in pipelines.Describe())
        {
            output.WriteLine($"  {pipeline.Backend}: {string.Join(" -> ", pipeline.Steps.Select(s => $"{s.Name} ({s.Kind})"))}");
        }

        foreach (var error in scripts.Errors)
        {
            output.WriteLine($"  {error}");
        }

        ResponseListing.WritePipelines(catalog, options, backends, output);
        ContextListing.Write(options, backends, output);
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

        ResponseListing.WriteSteps(catalog, output, WriteTable);

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
