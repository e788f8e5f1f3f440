using System.Text.Json;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// The default backend chosen last with <c>anyclaude mode NAME</c>, kept in <c>~/.anyclaude/mode.json</c> (readable by
/// the user alone) so the next start uses it too. <c>--mode</c> and <c>ANYCLAUDE_MODE</c> win over it; it wins over
/// the configuration files' <c>mode</c>.
/// </summary>
internal sealed class ModeMemory(string path)
{
    public const string ModeVariable = "ANYCLAUDE_MODE";

    public static ModeMemory ForUser() => new(System.IO.Path.Combine(ConfigurationLoader.UserDirectory, "mode.json"));

    public string Path => path;

    public void Remember(string mode) => PrivateFile.Write(path, JsonSerializer.Serialize(new Dictionary<string, string> { ["mode"] = mode }));

    /// <summary>The remembered backend, or null when none was chosen (or the file cannot be read).</summary>
    public string? Recall()
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String && mode.GetString() is { Length: > 0 } name ? name : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The command line with the remembered backend as its mode when nothing explicit chose one and that backend is
    /// configured (<paramref name="loaded"/>: the configuration without it); else unchanged, with one line saying why
    /// a remembered backend was ignored.
    /// </summary>
    public (CommandLineSettings CommandLine, string? Note) Apply(CommandLineSettings commandLine, IReadOnlyDictionary<string, string?> environment, ConfigurationResult loaded)
    {
        if (commandLine.Mode is not null || !string.IsNullOrEmpty(environment.GetValueOrDefault(ModeVariable)) || loaded.Options is not { } options || Recall() is not { } remembered)
        {
            return (commandLine, null);
        }

        if (string.Equals(remembered, options.Mode, StringComparison.OrdinalIgnoreCase))
        {
            return (commandLine, null);
        }

        if (!options.Backends.ContainsKey(remembered))
        {
            return (commandLine, $"the backend '{remembered}' chosen last with `anyclaude mode` ({path}) is not configured now; using '{options.Mode}'");
        }

        return (commandLine with { Mode = remembered }, $"default backend '{remembered}', chosen last with `anyclaude mode` (--mode or {ModeVariable} choose another for a session)");
    }
}
