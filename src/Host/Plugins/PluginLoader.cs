using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Reflection;
using System.Runtime.Loader;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;
using AnyClaude.Abstractions.Transforms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PackageLoader = McMaster.NETCore.Plugins.PluginLoader;

namespace AnyClaude.Host.Plugins;

/// <summary>
/// Loads one plugin: <c>&lt;folder&gt;/&lt;Name&gt;.dll</c> into its own collectible load context (McMaster.NETCore.Plugins,
/// sharing what <see cref="SharedHostAssemblies"/> names with the host), creates its one
/// <see cref="IAnyClaudePlugin"/>, lets it configure itself, and discovers its backend factories and request
/// transforms with Scrutor. Every way this can fail becomes a <see cref="PluginLoadException"/> with the reason;
/// nothing of the plugin stays loaded then.
/// </summary>
internal static class PluginLoader
{
    /// <summary>Loads every plugin folder of <paramref name="directories"/> in place (no shadow copy, no watching).</summary>
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
                try
                {
                    loaded.Add(Load(folder, loadFrom: null));
                }
                catch (PluginLoadException exception)
                {
                    failures.Add(exception.Failure);
                }
            }
        }

        return new PluginLoadResult(loaded, failures);
    }

    /// <summary>
    /// Loads the plugin in <paramref name="folder"/>. With <paramref name="loadFrom"/> the folder's files are first
    /// copied there and loaded from the copy, so the originals can be replaced while the plugin is in use.
    /// </summary>
    public static LoadedPlugin Load(string folder, string? loadFrom)
    {
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        string path = Path.Combine(folder, name + ".dll");
        if (!File.Exists(path))
        {
            throw new PluginLoadException(folder, $"no {name}.dll in the plugin folder (a plugin folder holds <Name>/<Name>.dll)");
        }

        if (CheckImage(path) is { } problem)
        {
            throw new PluginLoadException(path, problem);
        }

        string loadPath = path;
        if (loadFrom is not null)
        {
            CopyDirectory(folder, loadFrom);
            loadPath = Path.Combine(loadFrom, name + ".dll");
        }

        PackageLoader? loader = null;
        ServiceProvider? provider = null;
        try
        {
            loader = CreateLoader(Path.GetFullPath(loadPath));
            var assembly = loader.LoadDefaultAssembly();
            var entryType = FindEntryType(assembly, path);
            var plugin = Create(entryType, path);
            var services = new ServiceCollection();
            var builder = new PluginBuilder(services);
            try
            {
                plugin.Configure(builder);
            }
            catch (Exception exception)
            {
                throw new PluginLoadException(path, $"{entryType.FullName}.Configure threw {exception.GetType().Name}: {exception.Message}");
            }

            // Scrutor finds the implementations the plugin did not hand over itself.
            var handedOver = builder.BackendFactories.Select(f => f.GetType()).ToHashSet();
            services.Scan(scan => scan.FromAssemblies(assembly)
                .AddClasses(classes => classes.AssignableTo<IBackendFactory>().Where(t => !handedOver.Contains(t)), publicOnly: false)
                    .As<IBackendFactory>().WithSingletonLifetime()
                .AddClasses(classes => classes.AssignableTo<IRequestTransform>(), publicOnly: false)
                    .As<IRequestTransform>().WithSingletonLifetime()
                .AddClasses(classes => classes.AssignableTo<AnyClaude.Abstractions.Responses.IResponseTransform>(), publicOnly: false).As<AnyClaude.Abstractions.Responses.IResponseTransform>().WithSingletonLifetime());
            provider = services.BuildServiceProvider();
            ImmutableArray<IBackendFactory> factories;
            ImmutableArray<IRequestTransform> transforms;
            ImmutableArray<AnyClaude.Abstractions.Responses.IResponseTransform> responseSteps;
            try
            {
                // One instance per implementation, whether handed over, registered in Services, or found by the scan;
                // all built here, so a constructor that throws fails this plugin's load and nothing later.
                factories = [.. builder.BackendFactories.Concat(provider.GetServices<IBackendFactory>()).DistinctBy(f => f.GetType())];
                transforms = [.. provider.GetServices<IRequestTransform>().DistinctBy(t => t.GetType())];
                responseSteps = [.. provider.GetServices<AnyClaude.Abstractions.Responses.IResponseTransform>().DistinctBy(t => t.GetType())];
            }
            catch (Exception exception)
            {
                throw new PluginLoadException(path, $"creating its backend factories and transforms failed: {exception.GetType().Name}: {(exception as TargetInvocationException)?.InnerException?.Message ?? exception.Message}");
            }

            string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? assembly.GetName().Version?.ToString()
                ?? "?";
            return new LoadedPlugin(plugin, SafeName(plugin, name), path, loadPath, version, loader, provider, factories, transforms, responseSteps);
        }
        catch (Exception exception)
        {
            provider?.Dispose();
            loader?.Dispose();
            if (exception is PluginLoadException)
            {
                throw;
            }

            throw new PluginLoadException(path, exception switch
            {
                ReflectionTypeLoadException typeLoad => $"its types cannot be loaded: {string.Join("; ", typeLoad.LoaderExceptions.OfType<Exception>().Select(e => e.Message).Distinct())}",
                _ => $"{exception.GetType().Name}: {exception.Message}",
            });
        }
    }

    /// <summary>
    /// An unloadable context for the plugin. The package's own hot reload and in-memory loading stay off: the
    /// <see cref="PluginManager"/> watches the folders and loads each plugin from a shadow copy (docs/architecture.md).
    /// </summary>
    private static PackageLoader CreateLoader(string assemblyPath) =>
        PackageLoader.CreateFromAssemblyFile(assemblyPath, isUnloadable: true, SharedHostAssemblies.ContractTypes, config =>
        {
            config.EnableHotReload = false;
            config.LoadInMemory = false;
            config.PreferSharedTypes = false; // the plugin's own copies win, except for what is shared
            // Share a contract's references by name and load them when the plugin first asks, instead of the package's
            // default walk that loads every assembly the contracts reach (TLS, QUIC, compression, the tokenizer
            // library, Protobuf: ~6 MiB at start, for each plugin's context) whether anything uses them or not.
            config.IsLazyLoaded = true;
            foreach (var shared in SharedHostAssemblies.CarriedBy(assemblyPath))
            {
                config.SharedAssemblies.Add(shared);
            }
        });

    /// <summary>Reads the file's metadata without loading it: is it a .NET assembly, built against this host's contracts?</summary>
    private static string? CheckImage(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return "not a .NET assembly (no metadata)";
            }

            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly)
            {
                return "not a .NET assembly (a module without a manifest)";
            }

            bool referencesContract = false;
            foreach (var handle in metadata.AssemblyReferences)
            {
                var reference = metadata.GetAssemblyReference(handle);
                string name = metadata.GetString(reference.Name);
                if (!SharedHostAssemblies.ContractNames.Contains(name))
                {
                    continue;
                }

                referencesContract |= name == ContractName;
                var host = name == ContractName ? ContractVersion : typeof(AnyClaude.OpenAICompat.Backends.OpenAICompatibleBackend).Assembly.GetName().Version!;
                if (reference.Version.Major != host.Major || reference.Version > host)
                {
                    return $"built against {name} {reference.Version}, but this host provides {host}: rebuild the plugin against " +
                        $"{name} {host.Major}.x (at most {host.ToString(3)})";
                }
            }

            return referencesContract ? null : $"does not reference {ContractName}: not an AnyClaude plugin";
        }
        catch (BadImageFormatException exception)
        {
            return $"not a .NET assembly ({exception.Message})";
        }
        catch (IOException exception)
        {
            return $"cannot be read: {exception.Message}";
        }
    }

    private static string ContractName => typeof(IAnyClaudePlugin).Assembly.GetName().Name!;

    private static Version ContractVersion => typeof(IAnyClaudePlugin).Assembly.GetName().Version!;

    private static Type FindEntryType(Assembly assembly, string path)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            throw new PluginLoadException(path, $"its types cannot be loaded: {string.Join("; ", exception.LoaderExceptions.OfType<Exception>().Select(e => e.Message).Distinct())}");
        }

        var entryTypes = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IAnyClaudePlugin).IsAssignableFrom(t)).ToList();
        return entryTypes.Count switch
        {
            1 => entryTypes[0],
            0 => throw new PluginLoadException(path, $"no class implements {nameof(IAnyClaudePlugin)}: a plugin has exactly one entry type"),
            _ => throw new PluginLoadException(path, $"{entryTypes.Count} classes implement {nameof(IAnyClaudePlugin)} ({string.Join(", ", entryTypes.Select(t => t.FullName))}): a plugin has exactly one entry type"),
        };
    }

    private static IAnyClaudePlugin Create(Type entryType, string path)
    {
        if (entryType.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new PluginLoadException(path, $"{entryType.FullName} has no public parameterless constructor");
        }

        try
        {
            return (IAnyClaudePlugin)Activator.CreateInstance(entryType)!;
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            throw new PluginLoadException(path, $"the constructor of {entryType.FullName} threw {inner.GetType().Name}: {inner.Message}");
        }
    }

    private static string SafeName(IAnyClaudePlugin plugin, string fallback)
    {
        try
        {
            return string.IsNullOrWhiteSpace(plugin.Name) ? fallback : plugin.Name;
        }
        catch (Exception)
        {
            return fallback;
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }

    public static void Report(PluginLoadResult result, ILogger logger)
    {
        foreach (var plugin in result.Plugins)
        {
            logger.LogDebug("Loaded plugin {Plugin} {Version} from {Path}", plugin.Name, plugin.Version, plugin.Path);
        }

        foreach (var failure in result.Failures)
        {
            logger.LogWarning("Plugin {Path} was not loaded: {Reason}", failure.Path, failure.Reason);
        }
    }
}

/// <summary>A loaded plugin: its entry object, what it contributes, and the load context that holds its code.</summary>
internal sealed class LoadedPlugin(
    IAnyClaudePlugin plugin,
    string name,
    string path,
    string loadedFrom,
    string version,
    PackageLoader loader,
    ServiceProvider services,
    ImmutableArray<IBackendFactory> backendFactories,
    ImmutableArray<IRequestTransform> requestTransforms,
    ImmutableArray<AnyClaude.Abstractions.Responses.IResponseTransform> responseTransforms)
{
    public IAnyClaudePlugin Plugin { get; } = plugin;

    public string Name { get; } = name;

    /// <summary>The plugin's DLL in its plugin folder.</summary>
    public string Path { get; } = path;

    /// <summary>Where the code was actually loaded from (the shadow copy, or <see cref="Path"/>).</summary>
    public string LoadedFrom { get; } = loadedFrom;

    public string Version { get; } = version;

    /// <summary>The plugin's collectible load context (the package's; it never swaps it, hot reload being off).</summary>
    public AssemblyLoadContext Context { get; } = loader.LoadContext;

    /// <summary>The plugin's own container: what it registered in Configure plus what Scrutor found in its assembly.</summary>
    public ServiceProvider Services { get; } = services;

    public ImmutableArray<IBackendFactory> BackendFactories { get; } = backendFactories;

    public ImmutableArray<IRequestTransform> RequestTransforms { get; } = requestTransforms;

    public ImmutableArray<AnyClaude.Abstractions.Responses.IResponseTransform> ResponseTransforms { get; } = responseTransforms;

    /// <summary>Lets go of the plugin: its container is disposed and its context unloads once nothing uses its code.</summary>
    public void Unload()
    {
        Services.Dispose();
        loader.Dispose();
    }
}

internal sealed class PluginLoadException(string path, string reason) : Exception(reason)
{
    public PluginFailure Failure { get; } = new(path, reason);
}

internal sealed record PluginLoadResult(IReadOnlyList<LoadedPlugin> Plugins, IReadOnlyList<PluginFailure> Failures);
