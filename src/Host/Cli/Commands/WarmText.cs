using System.Globalization;
using System.Text.Json;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>What a backend's warm-ups left warm, from its status entry: <c>warm: head 9,812 tokens, classifier 35,120 tokens</c>; null when nothing.</summary>
internal static class WarmText
{
    public static string? Of(JsonElement backend)
    {
        if (!backend.TryGetProperty("warm", out var warm) || warm.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var parts = warm.EnumerateObject()
            .Where(kind => kind.Value.ValueKind == JsonValueKind.Number)
            .Select(kind => string.Create(CultureInfo.InvariantCulture, $"{kind.Name} {kind.Value.GetInt32():N0} tokens"))
            .ToList();
        return parts.Count == 0 ? null : "warm: " + string.Join(", ", parts);
    }
}
