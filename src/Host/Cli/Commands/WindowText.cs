using System.Globalization;
using System.Text.Json;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>A backend's context window in <c>/admin/status</c> as words, with where it came from: a default is never shown as the server's.</summary>
internal static class WindowText
{
    public static string Of(JsonElement backend) =>
        backend.TryGetProperty("contextLength", out var length) && length.ValueKind == JsonValueKind.Number
            ? $"{length.GetInt32().ToString("N0", CultureInfo.InvariantCulture)} tokens{SourceOf(backend)}"
            : "unknown";

    private static string SourceOf(JsonElement backend) =>
        (backend.TryGetProperty("contextLengthSource", out var source) ? source.GetString() : null) switch
        {
            "configured" => " (configured)",
            "reported" => " (reported by the server)",
            "default" => " (default, not reported by the server)",
            _ => "",
        };
}
