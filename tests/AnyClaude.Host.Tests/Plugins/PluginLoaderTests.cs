using System.Runtime.Loader;
using AnyClaude.Host.Plugins;

namespace AnyClaude.Host.Tests.Plugins;

/// <summary>The default plugins as the host build ships them: <c>src/Host/bin/&lt;Configuration&gt;/net10.0/plugins</c>.</summary>
public sealed class PluginLoaderTests
{
    private static string HostPluginsDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        var root = directory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AnyClaude.Extensible.sln")))
        {
            root = root.Parent;
        }

        root.ShouldNotBeNull("the repository root (AnyClaude.Extensible.sln) above the test output");
        // The test output is tests/AnyClaude.Host.Tests/bin/<Configuration>/net10.0/.
        string configuration = directory.Parent!.Name;
        string plugins = Path.Combine(root.FullName, "src", "Host", "bin", configuration, "net10.0", "plugins");
        Directory.Exists(plugins).ShouldBeTrue($"{plugins} (build src/Host first)");
        return plugins;
    }

    [Fact]
    public void The_host_builds_plugins_load_each_in_its_own_context()
    {
        var result = PluginLoader.LoadFrom([HostPluginsDirectory()]);

        result.Failures.ShouldBeEmpty(string.Join(" | ", result.Failures.Select(f => $"{f.Path}: {f.Reason}")));
        result.Plugins.Select(p => p.Plugin.Name).Order().ShouldBe(["AnthropicPassthrough", "Exo", "LlamaCpp", "LmStudio", "MlxLm", "Ollama", "Vllm"]);
        foreach (var plugin in result.Plugins)
        {
            plugin.Context.ShouldNotBeNull();
            AssemblyLoadContext.GetLoadContext(plugin.Plugin.GetType().Assembly).ShouldBeSameAs(plugin.Context);
            plugin.Context.ShouldNotBeSameAs(AssemblyLoadContext.Default);
        }

        result.Plugins[0].Context.ShouldNotBeSameAs(result.Plugins[1].Context);
        var kinds = BackendFactories.From(result.Plugins.Select(p => p.Plugin)).Select(f => f.Kind).ToList();
        kinds.ShouldContain("mlx-lm");
        kinds.ShouldContain("lmstudio");
        kinds.ShouldContain("ollama");
        kinds.ShouldContain("anthropic");
        kinds.ShouldContain("llama-cpp");
        kinds.ShouldContain("vllm");
        kinds.ShouldContain("exo");
    }

    [Fact]
    public void A_non_dotnet_file_named_like_a_plugin_is_a_failure_with_its_path_and_the_others_load()
    {
        string source = HostPluginsDirectory();
        var target = Directory.CreateTempSubdirectory("anyclaude-plugins-");
        try
        {
            foreach (var folder in Directory.GetDirectories(source))
            {
                string copy = Path.Combine(target.FullName, Path.GetFileName(folder));
                Directory.CreateDirectory(copy);
                foreach (var file in Directory.GetFiles(folder))
                {
                    File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
                }
            }

            string broken = Path.Combine(target.FullName, "Broken", "Broken.dll");
            Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
            File.WriteAllText(broken, "this is not an assembly");

            var result = PluginLoader.LoadFrom([target.FullName]);

            result.Failures.Count.ShouldBe(1);
            result.Failures[0].Path.ShouldBe(broken);
            result.Failures[0].Reason.ShouldNotBeNullOrWhiteSpace();
            result.Plugins.Select(p => p.Plugin.Name).Order().ShouldBe(["AnthropicPassthrough", "Exo", "LlamaCpp", "LmStudio", "MlxLm", "Ollama", "Vllm"]);
        }
        finally
        {
            try
            {
                target.Delete(recursive: true);
            }
            catch (UnauthorizedAccessException)
            {
                // Loaded plugin files may stay locked on Windows.
            }
        }
    }
}
