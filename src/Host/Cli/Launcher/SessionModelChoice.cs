



using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>
/// Whether the model a Claude Code settings file holds (where <c>/model</c> saves its choice, e.g. <c>claude-via-mlx</c>)
/// decides this session's backend, or the mode does. Claude Code takes <c>ANTHROPIC_MODEL</c> over its settings'
/// <c>model</c> (and <c>--model</c> over both), so the launcher sets the variable when the mode was asked for
/// explicitly (<c>--mode</c>, <c>ANYCLAUDE_MODE</c>): the settings file stays as the user left it, and the next
/// session without <c>--mode</c> finds their choice again.
/// </summary>
internal sealed record SessionModelChoice(bool SettingsChooseModel, string? Note)
{
    public static SessionModelChoice For(
        AnyClaudeOptions options,
        bool modeIsExplicit,
        string home,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment)
    {
        if (ClaudeSettingsFiles.StringSetting("model", home, workingDirectory, environment) is not { } setting)
        {
            // A model set to something other than a string (or not set) leaves nothing for the mode to win over.
            return new SessionModelChoice(ClaudeSettingsFiles.AnySets("model", home, workingDirectory, environment) && !modeIsExplicit, null);
        }

        var table = new RoutingTable(options.Mode, [], new Dictionary<string, IReadOnlyList<string>>(), [.. options.Backends.Keys]);
        string? pinned = table.BackendNamedModel(setting.Value)?.Backend;
        bool elsewhere = pinned is not null && !string.Equals(pinned, options.Mode, StringComparison.OrdinalIgnoreCase);
        if (modeIsExplicit)
        {
            return new SessionModelChoice(false, elsewhere
                ? $"mode '{options.Mode}' wins for this session over model '{setting.Value}' in {setting.Path} (saved by /model; left as it is)"
                : null);
        }

        return new SessionModelChoice(true, elsewhere
            ? $"model '{setting.Value}' in {setting.Path} (saved by /model) sends this session to backend '{pinned}', not the mode '{options.Mode}'; `anyclaude --mode {options.Mode}` wins for a session, `/model` changes it for good"
            : null);
    }

    /// <summary>The mode was asked for on the command line or in <c>ANYCLAUDE_MODE</c>, not only by a configuration file.</summary>
    public static bool IsExplicit(CommandLineSettings commandLine, IReadOnlyDictionary<string, string?> environment) =>
        !string.IsNullOrWhiteSpace(commandLine.Mode) || !string.IsNullOrWhiteSpace(environment.GetValueOrDefault("ANYCLAUDE_MODE"));
}
