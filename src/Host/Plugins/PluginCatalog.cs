using System.Collections.Immutable;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.OpenAICompat.Backends;

namespace AnyClaude.Host.Plugins;

/// <summary>
/// What the plugin folders held at one moment, as one immutable snapshot: the loaded plugins, the backend kinds
/// (the built-in <c>openai</c> first, then each plugin's), the plugins' request transforms, and what failed.
/// A reload produces a new catalog; whoever holds an old one keeps a consistent view (and keeps its plugins'
/// code alive until it lets go).
/// </summary>
internal sealed class PluginCatalog
{
    private PluginCatalog(
        long generation,
        ImmutableArray<string> directories,
        ImmutableArray<LoadedPlugin> plugins,
        ImmutableArray<BackendKind> backendKinds,
        ImmutableArray<PluginTransform> transforms,
        ImmutableArray<PluginFailure> failures)
    {
        Generation = generation;
        Directories = directories;
        Plugins = plugins;
        BackendKinds = backendKinds;
        Transforms = transforms;
        Failures = failures;
        BackendFactories = [.. backendKinds.Select(k => k.Factory)];
        RequestTransforms = [.. transforms.Select(t => t.Transform)];
    }

    public static PluginCatalog Empty { get; } = Create(0, [], [], []);

    /// <summary>Increases with every reload that changed something.</summary>
    public long Generation { get; }

    /// <summary>The plugin folders searched, in order.</summary>
    public ImmutableArray<string> Directories { get; }

    public ImmutableArray<LoadedPlugin> Plugins { get; }

    /// <summary>Every backend kind on offer, with the plugin that provides it (null for built-in ones).</summary>
    public ImmutableArray<BackendKind> BackendKinds { get; }

    public ImmutableArray<IBackendFactory> BackendFactories { get; }

    /// <summary>The plugins' request transforms with their owners, in plugin order.</summary>
    public ImmutableArray<PluginTransform> Transforms { get; }

    /// <summary>The plugins' request transforms, in plugin order (plugin name, then registration order).</summary>
    public ImmutableArray<IRequestTransform> RequestTransforms { get; }

    /// <summary>Each folder or plugin that did not load (or part of one that was ignored), with its path and why.</summary>
    public ImmutableArray<PluginFailure> Failures { get; }

    public BackendKind? FindKind(string kind) =>
        BackendKinds.FirstOrDefault(k => string.Equals(k.Kind, kind, StringComparison.OrdinalIgnoreCase));

    /// <summary>A catalog of fixed factories, without plugin folders (tests, embedding).</summary>
    public static PluginCatalog FromFactories(IEnumerable<IBackendFactory> factories) =>
        new(0, [], [], [.. factories.Select(f => new BackendKind(f.Kind, f, null))], [], []);

    /// <summary>The built-in kinds, then each plugin's; a kind offered twice is a failure of the later plugin.</summary>
    public static PluginCatalog Create(long generation, IEnumerable<string> directories, IEnumerable<LoadedPlugin> plugins, IEnumerable<PluginFailure> failures)
    {
        var allFailures = failures.ToList();
        var kinds = new List<BackendKind> { new("openai", new GenericOpenAIBackendFactory(), null) };
        var loaded = plugins.ToImmutableArray();
        foreach (var plugin in loaded)
        {
            foreach (var factory in plugin.BackendFactories)
            {
                var existing = kinds.FirstOrDefault(k => string.Equals(k.Kind, factory.Kind, StringComparison.OrdinalIgnoreCase));
                if (existing is not null)
                {
                    string owner = existing.Plugin is { } other ? $"plugin '{other.Name}' ({other.Path})" : "the host (built in)";
                    allFailures.Add(new PluginFailure(plugin.Path, $"backend kind '{factory.Kind}' ({factory.GetType().FullName}) is already provided by {owner}; this one is ignored"));
                    continue;
                }

                kinds.Add(new BackendKind(factory.Kind, factory, plugin));
            }
        }

        var transforms = loaded.SelectMany(p => p.RequestTransforms.Select(t => new PluginTransform(t, p))).ToImmutableArray();
        return new PluginCatalog(generation, [.. directories], loaded, [.. kinds], transforms, [.. allFailures]);
    }
}

/// <summary>A backend kind and who provides it (<see cref="Plugin"/> is null for the host's built-in kinds).</summary>
internal sealed record BackendKind(string Kind, IBackendFactory Factory, LoadedPlugin? Plugin);

internal sealed record PluginTransform(IRequestTransform Transform, LoadedPlugin Plugin);

/// <summary>A plugin folder, DLL or part of a plugin that was not loaded, and why.</summary>
internal sealed record PluginFailure(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}
