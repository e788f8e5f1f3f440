using System.Globalization;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// An exo cluster's API (src/exo/api): <c>/v1/models</c> lists every model card it knows, running or not (a card that does
/// not run comes first here, as a catalog would list it), each with <c>context_length</c> and <c>capabilities</c>
/// (<c>text</c>, <c>thinking</c>, <c>vision</c> when <see cref="FakeServerOptions.SupportsImages"/>); the models of
/// <see cref="FakeServerOptions.Models"/> run, as instances in <c>/state/instances</c> (<c>{"id": {"MlxRingInstance":
/// {"shardAssignments": {"modelId"}}}}</c>); a chat for any other model is the 404 "No instance found for model …". The
/// stream: a <c>: prefill_progress</c> comment, every delta with <c>"role":"assistant"</c>, reasoning in
/// <c>reasoning_content</c>, the tool calls whole in one chunk that also carries <c>finish_reason</c>, the usage on the
/// finishing chunk itself (whatever <c>stream_options</c> says; <c>prompt_tokens_details.cached_tokens</c> is the prefix
/// hit), then a <c>: generation_stats</c> comment with <c>prefix_cache_hit</c> (none, partial, exact). Errors are
/// <c>{"error":{"message","type","param","code"}}</c> with the HTTP phrase as type.
/// </summary>
internal sealed class ExoDialect(FakeServerOptions options) : FlavorDialect(options)
{
    /// <summary>A catalog card that does not run: the first card listed, so "the first listed model" would be wrong.</summary>
    public const string CatalogOnlyModel = "mlx-community/Llama-3.2-1B-Instruct-4bit";

    public override ServerFlavor Flavor => ServerFlavor.Exo;

    public override JsonReply? HandleGet(string path) => path switch
    {
        "/v1/models" or "/models" => Json(200, WriteModels),
        "/state/instances" => Json(200, WriteInstances),
        "/node_id" => Json(200, w => w.WriteStringValue("12D3KooWfakeNode")),
        _ => null,
    };

    public override JsonReply NotFound(string method, string path) =>
        Json(404, w =>
        {
            w.WriteStartObject();
            w.WriteString("detail", "Not Found");
            w.WriteEndObject();
        });

    public override JsonReply? CheckChat(ChatRequest request) =>
        request.Model is { } model && !Options.Models.Contains(model)
            ? ServerError(404, $"No instance found for model {model}")
            : null;

    public override JsonReply InvalidJson(string detail) => ServerError(422, detail);

    public override JsonReply ServerError(int status, string message) =>
        Json(status, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("error");
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteString("type", Phrase(status));
            w.WriteNull("param");
            w.WriteNumber("code", status);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public override JsonReply ContextOverflow(int promptTokens, int contextSize) =>
        ServerError(400, $"Prompt of {promptTokens} tokens exceeds the model's context length of {contextSize} tokens");

    public override string NewCompletionId() => Guid.NewGuid().ToString();

    public override string NewToolCallId() => Guid.NewGuid().ToString();

    public override string ResponseModel(string? requested) => requested ?? LoadedModel;

    /// <summary>Every call whole; the chunk planner puts each in a chunk of its own, this dialect's frames join them.</summary>
    public override IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call) =>
        [new ToolCallFragment(call.Index, call.Id, call.Name, call.Arguments)];

    public override IEnumerable<byte[]> StreamFrames(CompletionPlan plan, bool includeUsage)
    {
        string progress = string.Create(CultureInfo.InvariantCulture,
            $$$"""prefill_progress {"PrefillProgressChunk": {"model": "{{{plan.Meta.Model}}}", "processed_tokens": {{{plan.Usage.PromptTokens}}}, "total_tokens": {{{plan.Usage.PromptTokens}}}}}""");
        yield return SseFrame.Comment(progress);

        var text = plan.Chunks.Where(c => c.ToolCall is null && (c.Reasoning is not null || c.Content is not null)).ToList();
        var calls = plan.Chunks.Where(c => c.ToolCall is not null).Select(c => c.ToolCall!).ToList();
        for (var i = 0; i < text.Count; i++)
        {
            bool last = calls.Count == 0 && i == text.Count - 1;
            var chunk = last ? text[i] with { FinishReason = plan.FinishReason } : text[i] with { FinishReason = null };
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteChunk(w, plan.Meta, chunk, null, last ? plan.Usage : null)));
        }

        if (calls.Count > 0 || text.Count == 0)
        {
            var finish = new PlannedChunk(FinishReason: plan.FinishReason);
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteChunk(w, plan.Meta, finish, calls, plan.Usage)));
        }

        string hit = plan.Usage.CachedTokens == 0 ? "none" : plan.Usage.CachedTokens >= plan.Usage.PromptTokens ? "exact" : "partial";
        yield return SseFrame.Comment(string.Create(CultureInfo.InvariantCulture,
            $$$"""generation_stats {"prompt_tps": 850.0, "generation_tps": 42.0, "prompt_tokens": {{{plan.Usage.PromptTokens}}}, "generation_tokens": {{{plan.Usage.CompletionTokens}}}, "peak_memory_usage": {"in_bytes": 1073741824}, "prefix_cache_hit": "{{{hit}}}"}"""));
    }

    public override void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst) =>
        WriteChunk(w, meta, chunk, chunk.ToolCall is { } call ? [call] : null, null);

    /// <summary>exo puts the usage on the finishing chunk; there is no separate usage chunk.</summary>
    public override void WriteUsageChunk(Utf8JsonWriter w, CompletionMeta meta, UsageNumbers usage) =>
        throw new NotSupportedException("exo sends no usage chunk of its own");

    public override void WriteCompletion(Utf8JsonWriter w, CompletionPlan plan)
    {
        w.WriteStartObject();
        w.WriteString("id", plan.Meta.Id);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", plan.Meta.Created);
        w.WriteString("model", plan.Meta.Model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WritePropertyName("message");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", plan.Content);
        if (plan.Reasoning is not null)
        {
            w.WriteString("reasoning_content", plan.Reasoning);
        }

        if (plan.ToolCalls.Count > 0)
        {
            WriteMessageToolCalls(w, plan.ToolCalls);
        }

        w.WriteEndObject();
        w.WriteString("finish_reason", plan.FinishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        WriteExoUsage(w, plan.Usage);
        w.WriteEndObject();
    }

    private static void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, IReadOnlyList<ToolCallFragment>? calls, UsageNumbers? usage)
    {
        w.WriteStartObject();
        w.WriteString("id", meta.Id);
        w.WriteString("object", "chat.completion");
        w.WriteNumber("created", meta.Created);
        w.WriteString("model", meta.Model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WritePropertyName("delta");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        if (chunk.Reasoning is not null)
        {
            w.WriteString("reasoning_content", chunk.Reasoning);
        }
        else if (chunk.Content is not null)
        {
            w.WriteString("content", chunk.Content);
        }

        if (calls is { Count: > 0 })
        {
            w.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.Id);
                w.WriteNumber("index", call.Index);
                w.WriteString("type", "function");
                w.WritePropertyName("function");
                w.WriteStartObject();
                w.WriteString("id", call.Id);
                w.WriteString("name", call.Name);
                w.WriteString("arguments", call.Arguments);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        if (chunk.FinishReason is not null)
        {
            w.WriteString("finish_reason", chunk.FinishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        if (usage is { } numbers)
        {
            WriteExoUsage(w, numbers);
        }

        w.WriteEndObject();
    }

    private static void WriteExoUsage(Utf8JsonWriter w, UsageNumbers usage)
    {
        w.WritePropertyName("usage");
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WritePropertyName("prompt_tokens_details");
        w.WriteStartObject();
        w.WriteNumber("cached_tokens", usage.CachedTokens);
        w.WriteNumber("audio_tokens", 0);
        w.WriteEndObject();
        w.WritePropertyName("completion_tokens_details");
        w.WriteStartObject();
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteNumber("audio_tokens", 0);
        w.WriteNumber("accepted_prediction_tokens", 0);
        w.WriteNumber("rejected_prediction_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void WriteModels(Utf8JsonWriter w)
    {
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        WriteCard(w, CatalogOnlyModel, created, 131072, ["text"]);
        foreach (var model in Options.Models)
        {
            string[] capabilities = Options.SupportsImages ? ["text", "thinking", "vision"] : ["text", "thinking"];
            WriteCard(w, model, created, Options.ContextLength ?? 0, capabilities);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteCard(Utf8JsonWriter w, string model, long created, int contextLength, string[] capabilities)
    {
        w.WriteStartObject();
        w.WriteString("id", model);
        w.WriteString("object", "model");
        w.WriteNumber("created", created);
        w.WriteString("owned_by", "exo");
        w.WriteString("hugging_face_id", model);
        w.WriteString("name", model[(model.LastIndexOf('/') + 1)..]);
        w.WriteString("description", "");
        w.WriteNumber("context_length", contextLength);
        w.WriteStartArray("tags");
        w.WriteEndArray();
        w.WriteNumber("storage_size_megabytes", 17000);
        w.WriteBoolean("supports_tensor", true);
        w.WriteStartArray("tasks");
        w.WriteStringValue("TextGeneration");
        w.WriteEndArray();
        w.WriteBoolean("is_custom", false);
        w.WriteString("family", "qwen");
        w.WriteString("quantization", "4bit");
        w.WriteString("base_model", model);
        w.WriteStartArray("capabilities");
        foreach (var capability in capabilities)
        {
            w.WriteStringValue(capability);
        }

        w.WriteEndArray();
        w.WriteString("reasoning_dialect", "none");
        w.WriteEndObject();
    }

    private void WriteInstances(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        foreach (var model in Options.Models)
        {
            string instanceId = Guid.NewGuid().ToString();
            w.WritePropertyName(instanceId);
            w.WriteStartObject();
            w.WritePropertyName("MlxRingInstance");
            w.WriteStartObject();
            w.WriteString("instanceId", instanceId);
            w.WritePropertyName("shardAssignments");
            w.WriteStartObject();
            w.WriteString("modelId", model);
            w.WritePropertyName("runnerToShard");
            w.WriteStartObject();
            w.WriteEndObject();
            w.WritePropertyName("nodeToRunner");
            w.WriteStartObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WritePropertyName("hostsByNode");
            w.WriteStartObject();
            w.WriteEndObject();
            w.WriteNumber("ephemeralPort", 52416);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static string Phrase(int status) => status switch
    {
        400 => "Bad Request",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
}
