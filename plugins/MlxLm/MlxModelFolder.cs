using System.Text.Json;

namespace AnyClaude.Plugins.MlxLm;

/// <summary>
/// mlx-lm does not say what its model's window is; the model's own <c>config.json</c> does. The folder is the configured
/// model when that is a local path, or the model's snapshot in the Hugging Face cache when it is a repository id that
/// is already there (nothing is downloaded).
/// </summary>
internal static class MlxModelFolder
{
    /// <summary>The folder holding the model's files, or null when it is not on this machine.</summary>
    public static string? Find(string? model, string? huggingFaceHome)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        string expanded = model.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), model[2..])
            : model;
        if (Directory.Exists(expanded))
        {
            return expanded;
        }

        if (huggingFaceHome is null || model.Count(c => c == '/') != 1 || Path.IsPathRooted(model))
        {
            return null;
        }

        string snapshots = Path.Combine(huggingFaceHome, "hub", "models--" + model.Replace("/", "--", StringComparison.Ordinal), "snapshots");
        return Directory.Exists(snapshots)
            ? Directory.EnumerateDirectories(snapshots).Where(d => File.Exists(Path.Combine(d, "config.json"))).OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
    }

    /// <summary>
    /// The window the model was trained for: <c>max_position_embeddings</c> (or <c>text_config</c>'s, for multimodal
    /// configs), else <c>max_sequence_length</c> / <c>seq_length</c>; null when the file is missing or says nothing.
    /// </summary>
    public static int? ContextLength(string folder)
    {
        string path = Path.Combine(folder, "config.json");
        try
        {
            using var stream = File.OpenRead(path);
            using var config = JsonDocument.Parse(stream);
            var root = config.RootElement;
            return Window(root) ?? (root.TryGetProperty("text_config", out var text) ? Window(text) : null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Where the Hugging Face cache is: <c>HF_HOME</c>, else <c>~/.cache/huggingface</c>.</summary>
    public static string DefaultHuggingFaceHome() =>
        Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface");

    private static int? Window(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (string name in (ReadOnlySpan<string>)["max_position_embeddings", "max_sequence_length", "seq_length"])
        {
            if (config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int tokens) && tokens > 0)
            {
                return tokens;
            }
        }

        return null;
    }
}
