



using AnyClaude.Host.Cli.Launcher;

namespace AnyClaude.Host.Tests.Launcher;

public sealed class ClaudeLocatorTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("anyclaude-locator-");

    [Fact]
    public void Claude_is_found_on_PATH_in_order()
    {
        string first = _root.CreateSubdirectory("a").FullName;
        string second = _root.CreateSubdirectory("b").FullName;
        File.WriteAllText(Path.Combine(second, "claude"), "");

        ClaudeLocator.Find(null, string.Join(Path.PathSeparator, first, second)).ShouldBe(Path.Combine(second, "claude"));
    }

    [Fact]
    public void A_configured_path_wins_and_a_missing_one_is_not_found()
    {
        string configured = Path.Combine(_root.FullName, "my-claude");
        File.WriteAllText(configured, "");
        string onPath = _root.CreateSubdirectory("bin").FullName;
        File.WriteAllText(Path.Combine(onPath, "claude"), "");

        ClaudeLocator.Find(configured, onPath).ShouldBe(configured);
        ClaudeLocator.Find(Path.Combine(_root.FullName, "nope"), onPath).ShouldBeNull();
    }

    [Fact]
    public void No_claude_anywhere_is_not_found_and_the_hint_says_how_to_install()
    {
        ClaudeLocator.Find(null, _root.FullName).ShouldBeNull();
        ClaudeLocator.InstallHint.ShouldContain("npm install -g @anthropic-ai/claude-code");
    }

    public void Dispose() => _root.Delete(recursive: true);
}
