using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Servers;

/// <summary>
/// Reads a backend's <c>start</c>, <c>startTimeoutSeconds</c> and <c>startEnvironment</c>. <c>start</c> is a string
/// (run by the platform's shell), a list (the program and its arguments, run directly) or, for the kinds whose server
/// is well known, an object that builds the command (<see cref="ServerShortForms"/>). Each problem is one line in
/// <c>errors</c> naming the backend and the key, and the backend then has no start command.
/// </summary>
internal static class StartSettingsReader
{
    public const string StartKey = "start";
    public const string TimeoutKey = "startTimeoutSeconds";
    public const string EnvironmentKey = "startEnvironment";

    /// <summary>The backend keys read here, for the settings schema.</summary>
    public static readonly IReadOnlyList<string> Keys = [StartKey, TimeoutKey, EnvironmentKey];

    private const int MaxTimeoutSeconds = 86_400;

    /// <summary>
    /// The start settings of one backend (<paramref name="backend"/> is its section, <c>backends:NAME</c>) of kind
    /// <paramref name="kind"/> at <paramref name="url"/>; null when it has none or after reporting what is wrong.
    /// </summary>
    public static StartSettings? Read(IConfigurationSection backend, string kind, Uri url, ICollection<string> errors)
    {
        string prefix = $"backends.{backend.Key}";
        var start = backend.GetSection(StartKey);
        var children = start.GetChildren().ToList();
        if (children.Count == 0 && string.IsNullOrWhiteSpace(start.Value))
        {
            return null;
        }

        int before = errors.Count;
        var command = children.Count == 0
            ? ServerCommand.Shell(start.Value!.Trim())
            : children.All(child => IndexOf(child.Key) >= 0)
                ? ReadList(children, $"{prefix}.{StartKey}", errors)
                : ServerShortForms.Build(kind, start, url, NullIfEmpty(backend["model"]), $"{prefix}.{StartKey}", errors);
        var timeout = ReadTimeout(backend, prefix, errors);
        var environment = ReadEnvironment(backend.GetSection(EnvironmentKey), $"{prefix}.{EnvironmentKey}", errors);
        return command is null || errors.Count > before
            ? null
            : new StartSettings(command) { Timeout = timeout, Environment = environment };
    }

    /// <summary>A list of strings: the program, then its arguments, word for word.</summary>
    private static ServerCommand? ReadList(IReadOnlyList<IConfigurationSection> children, string name, ICollection<string> errors)
    {
        if (ReadWords(children, name, errors) is not { } words)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(words[0]))
        {
            errors.Add($"{name}[0]: the program to run is empty");
            return null;
        }

        return ServerCommand.Direct(ServerShortForms.HomePath(words[0]), words[1..]);
    }

    /// <summary>The strings of a list, in order; null after reporting an element that is not a string.</summary>
    internal static List<string>? ReadWords(IReadOnlyList<IConfigurationSection> children, string name, ICollection<string> errors)
    {
        var words = new List<string>(children.Count);
        foreach (var child in children.OrderBy(child => IndexOf(child.Key)))
        {
            if (child.Value is null)
            {
                errors.Add($"{name}[{child.Key}]: must be a string (one string per word)");
                return null;
            }

            words.Add(child.Value);
        }

        return words;
    }

    private static TimeSpan ReadTimeout(IConfigurationSection backend, string prefix, ICollection<string> errors)
    {
        string? text = backend[TimeoutKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return StartSettings.DefaultTimeout;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seconds) && seconds is >= 1 and <= MaxTimeoutSeconds)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        errors.Add($"{prefix}.{TimeoutKey}: '{text}' is not a whole number of seconds from 1 to {MaxTimeoutSeconds}");
        return StartSettings.DefaultTimeout;
    }

    private static Dictionary<string, string> ReadEnvironment(IConfigurationSection section, string name, ICollection<string> errors)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (section.Value is { Length: > 0 } scalar)
        {
            errors.Add($"{name}: '{scalar}' is not an object of variables (for example {{\"CUDA_VISIBLE_DEVICES\": \"0\"}})");
            return variables;
        }

        foreach (var child in section.GetChildren())
        {
            if (child.Value is null)
            {
                errors.Add($"{name}.{child.Key}: must be a string");
                continue;
            }

            variables[child.Key] = child.Value;
        }

        return variables;
    }

    /// <summary>The position of a list element's key, -1 for a key that is a name.</summary>
    internal static int IndexOf(string key) =>
        int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index : -1;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
