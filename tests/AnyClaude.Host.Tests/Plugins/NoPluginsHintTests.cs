



using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Plugins;

/// <summary>
/// A published or installed anyclaude whose plugins folder is empty or missing says so (the folders searched, that
/// they hold no plugin, how to add one) instead of "mode: 'mlx-lm' names no configured backend".
/// </summary>
public sealed class NoPluginsHintTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anyclaude-noplugins-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Plugins(string folder, string? mode = null)
    {
        using var output = new StringWriter();
        PluginsCommand.Run(new CommandLineSettings { PluginsDirectory = folder, Mode = mode }, new Dictionary<string, string?>(), output).ShouldBe(0);
        return output.ToString();
    }

    [Fact]
    public void An_empty_plugins_folder_is_named_with_how_to_add_a_plugin()
    {
        string folder = Path.Combine(_root, "plugins");
        Directory.CreateDirectory(folder);

        string output = Plugins(folder);

        output.ShouldContain($"mode: 'mlx-lm' needs a backend plugin, and no plugin was found: searched {folder} (no plugin in it)");
        output.ShouldContain(Path.Combine(folder, "MlxLm"));
        output.ShouldContain("--plugins");
        output.ShouldNotContain("names no configured backend");
    }

    [Fact]
    public void A_missing_plugins_folder_is_named_as_missing()
    {
        string folder = Path.Combine(_root, "not-there");

        string output = Plugins(folder);

        output.ShouldContain($"searched {folder} (missing)");
        output.ShouldNotContain("names no configured backend");
    }

    [Fact]
    public void A_mode_the_built_in_backend_serves_needs_no_plugin_and_gets_no_hint()
    {
        string folder = Path.Combine(_root, "plugins");
        Directory.CreateDirectory(folder);

        string output = Plugins(folder, mode: "openai");

        output.ShouldContain("Request pipelines (mode: openai):");
        output.ShouldNotContain("needs a backend plugin");
    }
}
