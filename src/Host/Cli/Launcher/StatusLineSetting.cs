using System.Globalization;
using System.Text.Json.Nodes;

namespace AnyClaude.Host.Cli.Launcher;

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
            || ClaudeSettingsFiles.AnySets("statusLine", home, workingDirectory, environment))
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
