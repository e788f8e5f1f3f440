using System.Text.Json;

namespace AnyClaude.Plugins.AnthropicPassthrough;

/// <summary>One entry of a server's <c>GET /v1/models</c>, with the context window where the server names it.</summary>
internal sealed record ListedModel(string Id, int? ContextLength)
{
    public static IReadOnlyList<ListedModel> ReadList(string body)
    {
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("it has no 'data' array");
        }

        var models = new List<ListedModel>();
        foreach (var entry in data.EnumerateArray())
        {
            if (entry.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                models.Add(new ListedModel(id.GetString()!, ContextOf(entry)));
            }
        }

        return models;
    }

    private static int? ContextOf(JsonElement entry)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_model_len", "context_length", "max_context_length"])
        {
            if (entry.TryGetProperty(name, out var value) && value.TryGetInt32(out int tokens) && tokens > 0)
            {
                return tokens;
            }
        }

        // llama-server's meta.n_ctx is its window per slot (-c 65536 --parallel 2 gives 32,768); meta.n_ctx_train is what
        // the model file was trained with (131,072 for Qwen2.5), which the server does not give a request.
        return entry.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("n_ctx", out var window) && window.TryGetInt32(out int perSlot) && perSlot > 0
            ? perSlot
            : null;
    }
}
