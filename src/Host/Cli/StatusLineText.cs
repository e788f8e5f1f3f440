using System.Globalization;
using System.Text.Json;

namespace AnyClaude.Host.Cli;

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
            string model = claude is { } c && c.TryGetProperty("model", out var m) && m.TryGetProperty("display_name", out var name) ? name.GetString() ?? "" : "";
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

    /// <summary>Claude Code's own count of the last turn: <c>context_window.current_usage</c>'s input, cache and output tokens.</summary>
    private static long? ClaudeContextUsed(JsonElement? claude)
    {
        if (claude is not { } c || !c.TryGetProperty("context_window", out var window) || !window.TryGetProperty("current_usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        long sum = 0;
        foreach (string name in new[] { "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens" })
        {
            if (usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number)
            {
                sum += value.GetInt64();
            }
        }

        return sum;
    }

    private static string Tokens(long count) => count >= 1000
        ? (count / 1000.0).ToString(count >= 100_000 ? "0" : "0.#", CultureInfo.InvariantCulture) + "k"
        : count.ToString(CultureInfo.InvariantCulture);

    private static double? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
