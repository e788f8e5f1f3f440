using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace AnyClaude.Host.Plugins;

/// <summary>
/// One plugin's collectible load context. The contract assemblies and the framework always come from the host,
/// so types match. Anything else the plugin carries (per its .deps.json) is its own, unless the host already has
/// exactly that assembly (same assembly and file version): then the host's copy is shared. A plugin can therefore
/// bring another version of a package the host also uses without either side seeing the other's.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    /// <summary>Always the host's: the types plugins and host exchange.</summary>
    public static readonly IReadOnlySet<string> ContractAssemblies =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "AnyClaude.Abstractions", "AnyClaude.OpenAICompat" };

    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(string pluginPath, string name)
        : base($"plugin:{name}", isCollectible: true)
    {
        PluginPath = pluginPath;
        _resolver = new AssemblyDependencyResolver(pluginPath);
    }

    public string PluginPath { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string name = assemblyName.Name ?? "";
        if (ContractAssemblies.Contains(name) || HostAssemblies.IsFramework(name))
        {
            return null;
        }

        if (_resolver.ResolveAssemblyToPath(assemblyName) is not { } path)
        {
            return null; // not carried by the plugin: the host's, if it has it
        }

        return HostAssemblies.AppLocalPath(name) is { } hostPath && SameBuild(hostPath, path) ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static bool SameBuild(string hostPath, string pluginPath)
    {
        try
        {
            return AssemblyName.GetAssemblyName(hostPath).Version == AssemblyName.GetAssemblyName(pluginPath).Version
                && FileVersionInfo.GetVersionInfo(hostPath).FileVersion == FileVersionInfo.GetVersionInfo(pluginPath).FileVersion;
        }
        catch (Exception exception) when (exception is IOException or BadImageFormatException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The host's trusted platform assemblies: the framework's, and the application's own packages beside it.</summary>
    private static class HostAssemblies
    {
        private static readonly Dictionary<string, string> Framework = new(StringComparer.OrdinalIgnoreCase);
        private static readonly Dictionary<string, string> AppLocal = new(StringComparer.OrdinalIgnoreCase);

        static HostAssemblies()
        {
            string appDirectory = Path.GetFullPath(AppContext.BaseDirectory);
            string tpa = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
            foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string name = Path.GetFileNameWithoutExtension(path);
                var target = Path.GetFullPath(path).StartsWith(appDirectory, StringComparison.Ordinal) ? AppLocal : Framework;
                target.TryAdd(name, path);
            }
        }

        public static bool IsFramework(string name) => Framework.ContainsKey(name);

        public static string? AppLocalPath(string name) => AppLocal.GetValueOrDefault(name);
    }
}
