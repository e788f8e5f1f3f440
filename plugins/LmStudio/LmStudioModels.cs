using System.Text.Json;
using AnyClaude.Abstractions.Backends;

namespace AnyClaude.Plugins.LmStudio;

/// <summary>
/// Reads LM Studio's <c>GET /api/v0/models</c>: the configured model's entry, else the loaded one, else the first. Its
/// window is <c>loaded_context_length</c> (what the loaded instance was given) before <c>max_context_length</c> (what
/// the model could take); <c>capabilities</c> lists <c>tool_use</c>; <c>type: vlm</c> takes images.
/// </summary>
internal static class LmStudioModels
{
    public static ServerReport? Read(JsonElement root, string? configuredModel)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var entries = data.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object).ToList();
        var entry = entries.FirstOrDefault(e => configuredModel is not null && String(e, "id") == configuredModel);
        if (entry.ValueKind != JsonValueKind.Object)
        {
            entry = entries.FirstOrDefault(e => String(e, "state") == "loaded");
        }

        if (entry.ValueKind != JsonValueKind.Object)
        {
            entry = entries.FirstOrDefault();
        }

        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new ServerReport
        {
            Model = String(entry, "id"),
            ContextLength = Int(entry, "loaded_context_length") ?? Int(entry, "max_context_length"),
            Tools = entry.TryGetProperty("capabilities", out var caps) && caps.ValueKind == JsonValueKind.Array
                ? caps.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.ValueEquals("tool_use"))
                : null,
            Images = String(entry, "type") is { } type ? type == "vlm" : null,
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number > 0 ? number : null;
}
