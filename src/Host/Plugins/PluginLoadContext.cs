using System.Reflection;
using System.Runtime.Loader;

namespace AnyClaude.Host.Plugins;

/// <summary>
/// One plugin's load context: its private dependencies come from its own folder (per its .deps.json), while
/// every assembly the host already has (the contracts above all) comes from the host, so types match.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(string pluginPath)
        : base(Path.GetFileNameWithoutExtension(pluginPath), isCollectible: true)
    {
        _resolver = new AssemblyDependencyResolver(pluginPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsSharedWithHost(assemblyName))
        {
            return null;
        }

        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static bool IsSharedWithHost(AssemblyName name)
    {
        if (name.Name is "AnyClaude.Abstractions" or "AnyClaude.OpenAICompat")
        {
            return true;
        }

        return Default.Assemblies.Any(a => string.Equals(a.GetName().Name, name.Name, StringComparison.OrdinalIgnoreCase))
            || TrustedPlatformAssemblyNames.Value.Contains(name.Name ?? "");
    }

    private static readonly Lazy<HashSet<string>> TrustedPlatformAssemblyNames = new(() =>
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase));
}
