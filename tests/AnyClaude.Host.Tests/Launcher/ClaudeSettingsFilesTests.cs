



using AnyClaude.Host.Cli.Launcher;

namespace AnyClaude.Host.Tests.Launcher;

public sealed class ClaudeSettingsFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anyclaude-settings-").FullName;

    private string Home => Path.Combine(_root, "home");

    private string Work => Path.Combine(_root, "work");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
    }

    [Fact]
    public void A_key_set_in_the_users_or_a_projects_settings_is_found_and_a_null_or_broken_file_sets_nothing()
    {
        var none = new Dictionary<string, string?>();
        ClaudeSettingsFiles.AnySets("model", Home, Work, none).ShouldBeFalse("no settings files at all");

        Write(Path.Combine(Home, ".claude", "settings.json"), """{ "model": null, "statusLine": { "type": "command", "command": "x" } }""");
        Write(Path.Combine(Work, ".claude", "settings.json"), "{ not json");
        ClaudeSettingsFiles.AnySets("model", Home, Work, none).ShouldBeFalse("null and a broken file set nothing");
        ClaudeSettingsFiles.AnySets("statusLine", Home, Work, none).ShouldBeTrue();

        // What `/model claude-via-lmstudio` leaves in the project's local settings, with a trailing comma and a comment.
        Write(Path.Combine(Work, ".claude", "settings.local.json"), "{ // chosen in /model\n \"model\": \"claude-via-lmstudio\", }");
        ClaudeSettingsFiles.AnySets("model", Home, Work, none).ShouldBeTrue();
    }

    [Fact]
    public void The_users_settings_live_in_CLAUDE_CONFIG_DIR_when_it_is_set()
    {
        string config = Path.Combine(_root, "config");
        Write(Path.Combine(config, "settings.json"), """{ "model": "opus" }""");
        ClaudeSettingsFiles.AnySets("model", Home, Work, new Dictionary<string, string?>()).ShouldBeFalse();
        ClaudeSettingsFiles.AnySets("model", Home, Work, new Dictionary<string, string?> { ["CLAUDE_CONFIG_DIR"] = config }).ShouldBeTrue();
    }
}
