using System.Globalization;
using AnyClaude.Host.Admin;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>A backend's context window in <c>/admin/status</c> as words, with where it came from: a default is never shown as the server's.</summary>
internal static class WindowText
{
    public static string Of(BackendStatus backend) =>
        backend.ContextLength is { } length
            ? $"{length.ToString("N0", CultureInfo.InvariantCulture)} tokens{SourceOf(backend)}"
            : "unknown";

    private static string SourceOf(BackendStatus backend) => backend.ContextLengthSource switch
    {
        "configured" => " (configured)",
        "reported" => " (reported by the server)",
        "default" => " (default, not reported by the server)",
        _ => "",
    };
}
