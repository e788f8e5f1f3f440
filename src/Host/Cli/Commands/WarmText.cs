using System.Globalization;
using AnyClaude.Host.Admin;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>What a backend's warm-ups left warm, from its status entry: <c>warm: head 9,812 tokens, classifier 35,120 tokens</c>; null when nothing.</summary>
internal static class WarmText
{
    public static string? Of(BackendStatus backend) =>
        backend.Warm is { Count: > 0 } warm
            ? "warm: " + string.Join(", ", warm.Select(kind => string.Create(CultureInfo.InvariantCulture, $"{kind.Key} {kind.Value:N0} tokens")))
            : null;
}
