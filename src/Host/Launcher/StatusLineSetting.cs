using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnyClaude.Host.Launcher;

/// <summary>
/// Gives the Claude Code that anyclaude launches a status line, <c>anyclaude statusline --port N</c>, through
/// <c>claude --settings JSON</c> (a settings layer of its own, so no file of the user's is touched), unless the user
/// has a <c>statusLine</c> of their own (user, project or local settings) or passes <c>--settings</c> themselves.
/// </summary>
internal static class StatusLineSetting
{
    /// <summary>Claude Code's subcommands (<c>anyclaude -- doctor</c>): they take no status line, and an option before them could change how they parse.</summary>
    private static readonly string[] Subcommands = ["doctor", "update", "upgrade", "install", "mcp", "config", "plugin", "setup-token", "migrate-installer", "auth"];

    public static IReadOnlyList<string> Apply(
        IReadOnlyList<string> claudeArguments,
        int proxyPort,
        string selfCommand,
        string home,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment)
    {
        if ((claudeArguments.Count > 0 && Subcommands.Contains(claudeArguments[0], StringComparer.Ordinal))
            || claudeArguments.Any(a => a == "--settings" || a.StartsWith("--settings=", StringComparison.Ordinal))
            || SettingsFiles(home, workingDirectory, environment).Any(HasStatusLine))
        {
            return claudeArguments;
        }

        var settings = new JsonObject
        {
            ["statusLine"] = new JsonObject
            {
                ["type"] = "command",
                ["command"] = $"{selfCommand} statusline --port {proxyPort.ToString(CultureInfo.InvariantCulture)}",
                ["padding"] = 0,
            },
        };
        return ["--settings", settings.ToJsonString(), .. claudeArguments];
    }

    /// <summary>Where Claude Code reads settings from: the user's (<c>CLAUDE_CONFIG_DIR</c> or ~/.claude), then the project's shared and local ones.</summary>
    public static IEnumerable<string> SettingsFiles(string home, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        string userDirectory = environment.GetValueOrDefault("CLAUDE_CONFIG_DIR") is { Length: > 0 } configDirectory ? configDirectory : Path.Combine(home, ".claude");
        yield return Path.Combine(userDirectory, "settings.json");
        yield return Path.Combine(workingDirectory, ".claude", "settings.json");
        yield return Path.Combine(workingDirectory, ".claude", "settings.local.json");
    }

    private static bool HasStatusLine(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("statusLine", out var statusLine)
                && statusLine.ValueKind != JsonValueKind.Null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return false;
        }
    }

    /// <summary>How a shell runs this anyclaude again: the apphost, or <c>dotnet anyclaude.dll</c> when started through dotnet.</summary>
    public static string SelfCommand()
    {
        string process = Environment.ProcessPath ?? "anyclaude";
        string name = Path.GetFileNameWithoutExtension(process);
        return string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase)
            ? $"{Quote(process)} {Quote(typeof(StatusLineSetting).Assembly.Location)}"
            : Quote(process);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
