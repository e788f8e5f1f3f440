using System.Globalization;
using System.Text.Json;

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

    public static string Format(JsonElement? claude, JsonElement? status)
    {
        if (status is not { } proxy)
        {
            string model = ClaudeModel(claude);
            return "anyclaude: proxy not answering" + (model.Length > 0 ? Separator + model : "");
        }

        var recent = proxy.GetProperty("recent").EnumerateArray().ToList();
        var last = recent.LastOrDefault(r => r.GetProperty("class").GetString() == "turn");
        if (last.ValueKind != JsonValueKind.Object)
        {
            last = recent.LastOrDefault();
        }

        string backendName = last.ValueKind == JsonValueKind.Object ? last.GetProperty("backend").GetString()! : proxy.GetProperty("mode").GetString()!;
        var backend = proxy.GetProperty("backends").EnumerateArray().FirstOrDefault(b => string.Equals(b.GetProperty("name").GetString(), backendName, StringComparison.OrdinalIgnoreCase));
        var parts = new List<string> { backendName };
        if (last.ValueKind == JsonValueKind.Object)
        {
            parts.Add(last.GetProperty("model").GetString() ?? "");
        }

        var figures = backend.ValueKind == JsonValueKind.Object && backend.TryGetProperty("figures", out var f) && f.TryGetProperty("last", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        if (Number(figures, "cachedShare") is { } share)
        {
            parts.Add($"cached {(share * 100).ToString("0", CultureInfo.InvariantCulture)}%");
        }

        if (Number(figures, "tokensPerSecond") is { } rate)
        {
            parts.Add($"{rate.ToString("0.0", CultureInfo.InvariantCulture)} tok/s");
        }

        long? used = figures.ValueKind == JsonValueKind.Object
            ? figures.GetProperty("promptTokens").GetInt64() + figures.GetProperty("outputTokens").GetInt64()
            : ClaudeContextUsed(claude);
        long? window = backend.ValueKind == JsonValueKind.Object && backend.TryGetProperty("contextLength", out var w) ? w.GetInt64() : null;
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

    private static double? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
