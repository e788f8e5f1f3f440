using System.Text.Json;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>The settings files Claude Code reads, and whether any of them sets a key (the user's choice then stands).</summary>
internal static class ClaudeSettingsFiles
{
    /// <summary>Where Claude Code reads settings from: the user's (<c>CLAUDE_CONFIG_DIR</c> or ~/.claude), then the project's shared and local ones.</summary>
    public static IEnumerable<string> Paths(string home, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        string userDirectory = environment.GetValueOrDefault("CLAUDE_CONFIG_DIR") is { Length: > 0 } configDirectory ? configDirectory : Path.Combine(home, ".claude");
        yield return Path.Combine(userDirectory, "settings.json");
        yield return Path.Combine(workingDirectory, ".claude", "settings.json");
        yield return Path.Combine(workingDirectory, ".claude", "settings.local.json");
    }

    /// <summary>Whether any of the settings files sets <paramref name="key"/> to something other than null; a file that is missing or unreadable sets nothing.</summary>
    public static bool AnySets(string key, string home, string workingDirectory, IReadOnlyDictionary<string, string?> environment) =>
        Paths(home, workingDirectory, environment).Any(path => Sets(path, key));

    /// <summary>
    /// The string <paramref name="key"/> is set to where Claude Code takes it from (local over project over user
    /// settings), and that file; null when no file sets it to a string.
    /// </summary>
    public static (string Value, string Path)? StringSetting(string key, string home, string workingDirectory, IReadOnlyDictionary<string, string?> environment) =>
        Paths(home, workingDirectory, environment)
            .Reverse()
            .Select(path => Read(path, key) is { ValueKind: JsonValueKind.String } value ? (value.GetString()!, path) : ((string, string)?)null)
            .FirstOrDefault(found => found is not null);

    private static bool Sets(string path, string key) => Read(path, key) is { ValueKind: not JsonValueKind.Null };

    private static JsonElement? Read(string path, string key)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(key, out var value)
                ? value.Clone()
                : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
