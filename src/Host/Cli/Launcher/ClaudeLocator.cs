namespace AnyClaude.Host.Cli.Launcher;

/// <summary>Finds the <c>claude</c> executable: the configured path, else the first match on PATH.</summary>
internal static class ClaudeLocator
{
    public const string InstallHint =
        "Claude Code (`claude`) was not found on PATH. Install it with `npm install -g @anthropic-ai/claude-code`, " +
        "set claudePath in the configuration, or run `anyclaude --proxy-only` and start claude yourself.";

    public static string? Find(string? configuredPath, string? pathVariable)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return File.Exists(configuredPath) ? Path.GetFullPath(configuredPath) : null;
        }

        string[] names = OperatingSystem.IsWindows() ? ["claude.exe", "claude.cmd"] : ["claude"];
        foreach (var directory in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                string candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
