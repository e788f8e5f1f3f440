using System.Text.Json;
using AnyClaude.Abstractions.Backends;

namespace AnyClaude.Plugins.Exo;

/// <summary>The parts of exo's API shapes this backend reads: a model card of <c>/v1/models</c> and an instance of <c>/state/instances</c>.</summary>
internal static class ExoModelCard
{
    /// <summary>A card's <c>context_length</c> (0 when unknown) and <c>capabilities</c> (<c>text</c>, <c>thinking</c>, <c>vision</c>, …).</summary>
    public static ServerReport Read(string model, JsonElement card)
    {
        var capabilities = card.TryGetProperty("capabilities", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!).ToHashSet(StringComparer.Ordinal)
            : null;
        return new ServerReport
        {
            Model = model,
            ContextLength = card.TryGetProperty("context_length", out var length) && length.ValueKind == JsonValueKind.Number
                && length.TryGetInt32(out int tokens) && tokens > 0 ? tokens : null,
            Images = capabilities?.Contains("vision"),
            Reasoning = capabilities?.Contains("thinking"),
            PromptCache = true,
            ReportsCachedTokens = true,
        };
    }

    /// <summary>
    /// An instance is tagged by its kind, <c>{"MlxRingInstance": {…}}</c> or <c>{"MlxJacclInstance": {…}}</c>, with camel-case
    /// fields inside: its model is <c>shardAssignments.modelId</c>.
    /// </summary>
    public static string? InstanceModel(JsonElement instance)
    {
        if (instance.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var tagged in instance.EnumerateObject())
        {
            if (tagged.Value.ValueKind == JsonValueKind.Object
                && tagged.Value.TryGetProperty("shardAssignments", out var shards) && shards.ValueKind == JsonValueKind.Object
                && shards.TryGetProperty("modelId", out var model) && model.ValueKind == JsonValueKind.String
                && model.GetString() is { Length: > 0 } id)
            {
                return id;
            }
        }

        return null;
    }
}
