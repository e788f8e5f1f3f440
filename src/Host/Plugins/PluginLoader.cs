using System.Reflection;
using AnyClaude.Abstractions.Plugins;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Plugins;

/// <summary>
/// Loads <c>DIR/&lt;Name&gt;/&lt;Name&gt;.dll</c> for each plugin folder and creates its one
/// <see cref="IAnyClaudePlugin"/>. A plugin that fails to load is reported with its path and skipped.
/// </summary>
internal static class PluginLoader
{
    public static PluginLoadResult LoadFrom(IEnumerable<string> directories)
    {
        var loaded = new List<LoadedPlugin>();
        var failures = new List<PluginFailure>();
        foreach (var directory in directories.Distinct(StringComparer.Ordinal))
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var folder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
            {
                string path = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
                if (!File.Exists(path))
                {
                    failures.Add(new PluginFailure(folder, $"no {Path.GetFileName(path)} in the plugin folder"));
                    continue;
                }

                try
                {
                    loaded.Add(Load(path));
                }
                catch (Exception exception) when (exception is BadImageFormatException or FileLoadException or FileNotFoundException or ReflectionTypeLoadException or TypeLoadException or InvalidOperationException or TargetInvocationException or MissingMethodException)
                {
                    failures.Add(new PluginFailure(path, exception.InnerException?.Message ?? exception.Message));
                }
            }
        }

        return new PluginLoadResult(loaded, failures);
    }

    private static LoadedPlugin Load(string path)
    {
        var context = new PluginLoadContext(path);
        try
        {
            var assembly = context.LoadFromAssemblyPath(path);
            var entryTypes = assembly.GetTypes()
                .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IAnyClaudePlugin).IsAssignableFrom(t))
                .ToList();
            if (entryTypes.Count != 1)
            {
                throw new InvalidOperationException(entryTypes.Count == 0
                    ? $"no public class implements {nameof(IAnyClaudePlugin)} (built against another AnyClaude.Abstractions?)"
                    : $"{entryTypes.Count} classes implement {nameof(IAnyClaudePlugin)}; a plugin has exactly one entry type");
            }

            var plugin = (IAnyClaudePlugin)Activator.CreateInstance(entryTypes[0])!;
            return new LoadedPlugin(plugin, path, assembly.GetName().Version?.ToString() ?? "?", context);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    public static void Report(PluginLoadResult result, ILogger logger)
    {
        foreach (var plugin in result.Plugins)
        {
            logger.LogDebug("Loaded plugin {Plugin} {Version} from {Path}", plugin.Plugin.Name, plugin.Version, plugin.Path);
        }

        foreach (var failure in result.Failures)
        {
            logger.LogWarning("Plugin {Path} was not loaded: {Reason}", failure.Path, failure.Reason);
        }
    }
}

internal sealed record LoadedPlugin(IAnyClaudePlugin Plugin, string Path, string Version, PluginLoadContext? Context);

internal sealed record PluginFailure(string Path, string Reason);

internal sealed record PluginLoadResult(IReadOnlyList<LoadedPlugin> Plugins, IReadOnlyList<PluginFailure> Failures);
