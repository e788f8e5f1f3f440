using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Plugins;

namespace AnyClaude.Host.Tests.Docs;

/// <summary>
/// docs/writing-a-plugin.md's code (every C# block marked <c>&lt;!-- sample: plugin HelloBackend --&gt;</c>) compiled once
/// into <c>plugins/HelloBackend/HelloBackend.dll</c> in a temporary folder and loaded by the host's plugin manager.
/// </summary>
public sealed class HelloPluginBuild : IDisposable
{
    public const string Name = "HelloBackend";

    private readonly PluginManager _manager;

    public HelloPluginBuild()
    {
        Root = Directory.CreateTempSubdirectory("anyclaude-doc-plugin-").FullName;
        PluginsDirectory = Path.Combine(Root, "plugins");
        var sources = MarkdownSamples.Of(Path.Combine(MarkdownSamples.DocsDirectory, "writing-a-plugin.md"))
            .Where(s => s.Mark == $"plugin {Name}")
            .Select(s => (s.ToString(), s.Code))
            .ToList();
        sources.ShouldNotBeEmpty("writing-a-plugin.md has no C# block marked <!-- sample: plugin HelloBackend -->");
        Dll = PluginSampleCompiler.Build(Name, sources, Path.Combine(PluginsDirectory, Name));
        _manager = new PluginManager([new PluginDirectory(PluginsDirectory, Required: true)], shadowRoot: Path.Combine(Root, "shadow"));
        _manager.Reload();
    }

    public string Root { get; }

    public string PluginsDirectory { get; }

    public string Dll { get; }

    internal PluginManager Manager => _manager;

    internal PluginCatalog Catalog => _manager.Current;

    /// <summary>The host's built-in kinds, the repository's plugins the tests reference, and the doc's.</summary>
    internal IReadOnlyList<IBackendFactory> Factories => [.. ProxyHarness.Factories, .. Catalog.BackendKinds.Where(k => k.Plugin is not null).Select(k => k.Factory)];

    public void Dispose()
    {
        _manager.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }
}
