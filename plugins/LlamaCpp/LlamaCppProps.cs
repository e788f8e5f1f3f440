using System.Text.Json;
using AnyClaude.Abstractions.Backends;

namespace AnyClaude.Plugins.LlamaCpp;

/// <summary>
/// Reads llama-server's <c>GET /props</c>: <c>default_generation_settings.n_ctx</c> (the context one slot gets),
/// <c>total_slots</c> (<c>--parallel</c>), <c>chat_template_caps</c> (what the model's Jinja template can do with tools),
/// <c>modalities.vision</c> (an <c>--mmproj</c> is loaded) and the model's alias or path.
/// </summary>
internal static class LlamaCppProps
{
    public static ServerReport Read(JsonElement props) => new()
    {
        Model = String(props, "model_alias") ?? String(props, "model_path"),
        ContextLength = Child(props, "default_generation_settings") is { } settings && Int(settings, "n_ctx") is { } perSlot
            ? perSlot
            : Int(props, "n_ctx"),
        Slots = Int(props, "total_slots"),
        Tools = Tools(Child(props, "chat_template_caps")),
        Images = Child(props, "modalities") is { } modalities ? Bool(modalities, "vision") : null,
        PromptCache = true,
        ReportsCachedTokens = true,
    };

    /// <summary>Claude Code needs both: tools offered to the template, and tool calls in the history it renders.</summary>
    private static bool? Tools(JsonElement? caps)
    {
        if (caps is not { } c)
        {
            return null;
        }

        bool? offered = Bool(c, "supports_tools");
        bool? calls = Bool(c, "supports_tool_calls");
        return offered is null && calls is null ? null : (offered ?? true) && (calls ?? true);
    }

    private static JsonElement? Child(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number > 0 ? number : null;

    private static bool? Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
