using System.Globalization;
using System.Text.Json;
using AnyClaude.Host.Admin;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// The one line <c>anyclaude statusline</c> prints under Claude Code's prompt: backend · upstream model · cached share of
/// the last prompt · tokens per second · context used of the backend's real window. The figures are the proxy's
/// (<c>/admin/status</c>: the backend of the last conversation turn and its last request); Claude Code's own JSON fills in
/// what the proxy cannot say (the context used, when the proxy has no request yet; the model when the proxy is gone).
/// </summary>
internal static class StatusLineText
{
    public const string Separator = " · ";

    public static string Format(JsonElement? claude, ProxyStatus? status)
    {
        if (status is null)
        {
            string model = ClaudeModel(claude);
            return "anyclaude: proxy not answering" + (model.Length > 0 ? Separator + model : "");
        }

        var last = status.Recent.LastOrDefault(r => r.Class == "turn") ?? status.Recent.LastOrDefault();
        string backendName = last?.Backend ?? status.Mode;
        var backend = status.Backends.FirstOrDefault(b => string.Equals(b.Name, backendName, StringComparison.OrdinalIgnoreCase));
        var parts = new List<string> { backendName };
        if (last is not null)
        {
            parts.Add(last.Model);
        }

        var figures = backend?.Figures?.Last;
        if (figures?.CachedShare is { } share)
        {
            parts.Add($"cached {(share * 100).ToString("0", CultureInfo.InvariantCulture)}%");
        }

        if (figures?.TokensPerSecond is { } rate)
        {
            parts.Add($"{rate.ToString("0.0", CultureInfo.InvariantCulture)} tok/s");
        }

        long? used = figures is not null ? (long)figures.PromptTokens + figures.OutputTokens : ClaudeContextUsed(claude);
        long? window = backend?.ContextLength;
        if (used is { } tokens)
        {
            parts.Add(window is { } size and > 0
                ? $"ctx {Tokens(tokens)}/{Tokens(size)} ({((double)tokens / size * 100).ToString("0", CultureInfo.InvariantCulture)}%)"
                : $"ctx {Tokens(tokens)}");
        }

        return string.Join(Separator, parts);
    }

    /// <summary>
    /// Claude Code's own count of the last turn: <c>context_window.current_usage</c>'s input, cache and output tokens.
    /// Claude Code's JSON grows with every version (2.1.337 added <c>effort</c>, <c>session_name</c>, <c>prompt_id</c>,
    /// <c>thinking</c>, more <c>prompt_cache</c> fields): only these keys are read, and one of another shape is passed over.
    /// </summary>
    private static long? ClaudeContextUsed(JsonElement? claude)
    {
        if (Child(Child(claude, "context_window"), "current_usage") is not { ValueKind: JsonValueKind.Object } usage)
        {
            return null;
        }

        long? sum = null;
        foreach (string name in new[] { "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens" })
        {
            if (usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long tokens) && tokens is >= 0 and < int.MaxValue)
            {
                sum = (sum ?? 0) + tokens;
            }
        }

        return sum;
    }

    /// <summary><c>model.display_name</c> (or <c>model</c> itself when it is a string); empty when there is none.</summary>
    private static string ClaudeModel(JsonElement? claude)
    {
        var model = Child(claude, "model");
        var name = model is { ValueKind: JsonValueKind.String } ? model : Child(model, "display_name");
        return name is { ValueKind: JsonValueKind.String } text ? text.GetString() ?? "" : "";
    }

    private static JsonElement? Child(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var child) ? child : null;

    private static string Tokens(long count) => count >= 1000
        ? (count / 1000.0).ToString(count >= 100_000 ? "0" : "0.#", CultureInfo.InvariantCulture) + "k"
        : count.ToString(CultureInfo.InvariantCulture);
}
