using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using AnyClaude.Abstractions.Plugins;
using AnyClaude.OpenAICompat.Backends;

namespace AnyClaude.Host.Plugins;

/// <summary>
/// Which of the host's assemblies a plugin uses instead of its own copy. Always the contracts, the assemblies they
/// reference (so the types they expose match), and, as the plugin reaches them through those, theirs in turn; and the
/// framework. Any other assembly the plugin carries is its own unless the host has exactly that build (same assembly
/// and file version). A plugin can therefore bring another version of a package the host also uses without either
/// side seeing the other's.
/// </summary>
internal static class SharedHostAssemblies
{
    /// <summary>The types plugins and host exchange: their assemblies, and those they reference, are the host's.</summary>
    public static readonly Type[] ContractTypes = [typeof(IAnyClaudePlugin), typeof(OpenAICompatibleBackend)];

    public static readonly IReadOnlySet<string> ContractNames =
        ContractTypes.Select(t => t.Assembly.GetName().Name!).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, string> Framework = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Dictionary<string, string> AppLocal = new(StringComparer.OrdinalIgnoreCase);

    static SharedHostAssemblies()
    {
        string appDirectory = Path.GetFullPath(AppContext.BaseDirectory);
        string tpa = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
        foreach (string path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var target = Path.GetFullPath(path).StartsWith(appDirectory, StringComparison.Ordinal) ? AppLocal : Framework;
            target.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        }
    }

    /// <summary>
    /// The host assemblies, besides the contracts, that the plugin at <paramref name="pluginPath"/> carries (per its
    /// .deps.json) but must take from the host: framework assemblies, and identical builds of the host's packages.
    /// </summary>
    public static IEnumerable<AssemblyName> CarriedBy(string pluginPath)
    {
        var resolver = new AssemblyDependencyResolver(pluginPath);
        foreach (var (name, _) in Framework)
        {
            if (resolver.ResolveAssemblyToPath(new AssemblyName(name)) is not null)
            {
                yield return new AssemblyName(name);
            }
        }

        foreach (var (name, hostPath) in AppLocal)
        {
            if (resolver.ResolveAssemblyToPath(new AssemblyName(name)) is { } path && SameBuild(hostPath, path))
            {
                yield return new AssemblyName(name);
            }
        }
    }

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
}
