using System.Text.Json;

namespace AnyClaude.Plugins.Ollama;

/// <summary>
/// What <c>POST /api/show</c> says of a model: its trained context window (<c>model_info["&lt;arch&gt;.context_length"]</c>,
/// the architecture from <c>general.architecture</c>) and its <c>capabilities</c> (<c>tools</c>, <c>thinking</c>, <c>vision</c>, …).
/// </summary>
internal sealed record OllamaModel(string Name, int? TrainedContext, IReadOnlySet<string> Capabilities)
{
    public bool Tools => Capabilities.Contains("tools");

    public bool Thinking => Capabilities.Contains("thinking");

    public bool Vision => Capabilities.Contains("vision");

    public static OllamaModel Read(string name, string showBody)
    {
        using var document = JsonDocument.Parse(showBody);
        var root = document.RootElement;
        int? context = null;
        if (root.TryGetProperty("model_info", out var info) && info.ValueKind == JsonValueKind.Object
            && info.TryGetProperty("general.architecture", out var architecture) && architecture.ValueKind == JsonValueKind.String
            && info.TryGetProperty($"{architecture.GetString()}.context_length", out var length) && length.TryGetInt32(out int tokens) && tokens > 0)
        {
            context = tokens;
        }

        var capabilities = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("capabilities", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var capability in list.EnumerateArray())
            {
                if (capability.ValueKind == JsonValueKind.String)
                {
                    capabilities.Add(capability.GetString()!);
                }
            }
        }

        return new OllamaModel(name, context, capabilities);
    }

    /// <summary>The names <c>GET /api/tags</c> lists (<c>{"models":[{"name":"qwen3-coder:30b",…}]}</c>), in its order.</summary>
    public static IReadOnlyList<string> ReadTags(string tagsBody)
    {
        using var document = JsonDocument.Parse(tagsBody);
        if (!document.RootElement.TryGetProperty("models", out var models) || models.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("it has no 'models' array");
        }

        return [.. models.EnumerateArray()
            .Select(m => m.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null)
            .OfType<string>()];
    }
}
