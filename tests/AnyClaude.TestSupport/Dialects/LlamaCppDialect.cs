using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// llama.cpp's <c>llama-server</c> (tools/server): the identity after the choices, <c>reasoning_content</c>, tool calls with
/// a random 32-character id, the name and <c>"arguments":""</c> first, then the pieces; the finish_reason in a chunk of
/// its own with an empty delta and the answer's <c>timings</c> (<c>cache_n</c>, <c>prompt_n</c>, <c>predicted_n</c>,
/// <c>predicted_per_second</c>); <c>prompt_progress</c> chunks before the answer when a stream asks with <c>return_progress</c>; the usage chunk carries the timings again and, only when
/// <see cref="FakeServerOptions.PromptTokensDetails"/> says so, <c>prompt_tokens_details</c>. <c>GET /props</c> reports the
/// slot's <c>n_ctx</c>, <c>total_slots</c>, the template's <c>chat_template_caps</c> and <c>modalities</c>; <c>/slots</c>
/// lists the slots; <c>POST /apply-template</c> renders a chat body with <see cref="FakeChatTemplate"/> and
/// <c>POST /tokenize</c> counts it. Without tool support (a simplification of two real cases: a template without tools,
/// and a server started with <c>--no-jinja</c>) the caps say <c>supports_tools: false</c> and a request with
/// <c>tools</c> fails with 500 "tools param requires --jinja flag". Errors are
/// <c>{"error":{"code","message","type"}}</c>; a context overflow is the 400 <c>exceed_context_size_error</c>.
/// </summary>
internal sealed class LlamaCppDialect(FakeServerOptions options) : FlavorDialect(options)
{
    private const string BuildInfo = "b7100-fake";

    public override ServerFlavor Flavor => ServerFlavor.LlamaCpp;

    public override bool FinishReasonInOwnChunk => true;

    private bool PromptTokensDetails => Options.PromptTokensDetails ?? false;

    public override JsonReply? HandleGet(string path) => path switch
    {
        "/v1/models" or "/models" => Json(200, WriteModels),
        "/health" or "/v1/health" => Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            w.WriteEndObject();
        }),
        "/props" => Json(200, WriteProps),
        "/slots" => Json(200, WriteSlots),
        _ => null,
    };

    public override JsonReply? HandlePost(RecordedRequest request)
    {
        if (request.Path is not ("/apply-template" or "/tokenize"))
        {
            return null;
        }

        if (!ChatRequest.TryParse(request.Body, out var body, out var error))
        {
            return InvalidJson(error);
        }

        if (request.Path == "/apply-template")
        {
            return Json(200, w =>
            {
                w.WriteStartObject();
                w.WriteString("prompt", FakeChatTemplate.Render(body.Root));
                w.WriteEndObject();
            });
        }

        if (!body.Root.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
        {
            return ServerError(400, "\"content\" must be provided");
        }

        bool addSpecial = body.Root.TryGetProperty("add_special", out var special) && special.ValueKind == JsonValueKind.True;
        var tokens = FakeChatTemplate.Tokenize(content.GetString()!, addSpecial);
        return Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("tokens");
            foreach (int token in tokens)
            {
                w.WriteNumberValue(token);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    public override JsonReply NotFound(string method, string path) => ServerError(404, "File Not Found");

    public override JsonReply? CheckChat(ChatRequest request) =>
        !Options.SupportsTools && request.Root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array
            ? ServerError(500, "tools param requires --jinja flag")
            : null;

    public override JsonReply InvalidJson(string detail) => ServerError(400, $"Failed to parse the request body as JSON: {detail}");

    public override JsonReply ServerError(int status, string message) =>
        Json(status, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("error");
            w.WriteStartObject();
            w.WriteNumber("code", status);
            w.WriteString("message", message);
            w.WriteString("type", ErrorType(status));
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public override JsonReply ContextOverflow(int promptTokens, int contextSize) =>
        Json(400, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("error");
            w.WriteStartObject();
            w.WriteNumber("code", 400);
            w.WriteString("message", $"request ({promptTokens} tokens) exceeds the available context size ({contextSize} tokens), try increasing it");
            w.WriteString("type", "exceed_context_size_error");
            w.WriteNumber("n_prompt_tokens", promptTokens);
            w.WriteNumber("n_ctx", contextSize);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public override string NewCompletionId() => $"chatcmpl-{RandomAlphanumeric(32)}";

    public override string NewToolCallId() => RandomAlphanumeric(32);

    public override string ResponseModel(string? requested) => requested ?? LoadedModel;

    /// <summary>id, type, name and empty arguments first; then the argument pieces.</summary>
    public override IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call) =>
        Piecewise(call, "", TextSplitter.Split(call.Arguments, ArgumentsPieceSize));

    public override IEnumerable<byte[]> StreamFrames(CompletionPlan plan, bool includeUsage)
    {
        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            var chunk = plan.Chunks[i];
            var isFirst = i == 0;
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteChunk(w, plan.Meta, chunk, isFirst, chunk.FinishReason is null ? null : plan.Usage)));
        }

        if (includeUsage)
        {
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteUsageChunk(w, plan.Meta, plan.Usage)));
        }
    }

    /// <summary>
    /// Asked with <c>return_progress: true</c> on a stream, llama-server sends a chunk after every prompt batch (so at least
    /// one, the last with <c>processed</c> = <c>total</c>): a <c>role</c> delta with <c>content: null</c> and
    /// <c>prompt_progress</c> {<c>total</c> prompt tokens, <c>cache</c> of them reused, <c>processed</c> so far, the cache
    /// included, <c>time_ms</c>} after the identity (tools/server: server-context.cpp send_partial_response,
    /// server-task.cpp to_json_oaicompat_chat).
    /// </summary>
    public override PrefillProgress? Prefill(ChatRequest request, CompletionMeta? meta, int promptTokens, int cachedTokens) =>
        meta is not null && request.Stream && request.Root.TryGetProperty("return_progress", out var asked) && asked.ValueKind == JsonValueKind.True
            ? new PrefillProgress(promptTokens, cachedTokens, AtLeastOnce: true, (processed, elapsedMs) =>
                SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteProgressChunk(w, meta, promptTokens, cachedTokens, processed, elapsedMs))))
            : null;

    private static void WriteProgressChunk(Utf8JsonWriter w, CompletionMeta meta, int total, int cached, int processed, long elapsedMs)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNull("finish_reason");
        w.WriteNumber("index", 0);
        w.WritePropertyName("delta");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteNull("content");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        WriteTrailer(w, meta, "chat.completion.chunk");
        w.WritePropertyName("prompt_progress");
        w.WriteStartObject();
        w.WriteNumber("total", total);
        w.WriteNumber("cache", cached);
        w.WriteNumber("processed", processed);
        w.WriteNumber("time_ms", elapsedMs);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public override void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst) =>
        WriteChunk(w, meta, chunk, isFirst, timings: null);

    public override void WriteUsageChunk(Utf8JsonWriter w, CompletionMeta meta, UsageNumbers usage)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteEndArray();
        WriteTrailer(w, meta, "chat.completion.chunk");
        WriteUsage(w, usage, withCachedDetails: PromptTokensDetails);
        WriteTimings(w, usage);
        w.WriteEndObject();
    }

    public override void WriteCompletion(Utf8JsonWriter w, CompletionPlan plan)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteString("finish_reason", plan.FinishReason);
        w.WriteNumber("index", 0);
        w.WritePropertyName("message");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        if (plan.Content.Length == 0 && plan.ToolCalls.Count > 0)
        {
            w.WriteNull("content");
        }
        else
        {
            w.WriteString("content", plan.Content);
        }

        if (plan.Reasoning is not null)
        {
            w.WriteString("reasoning_content", plan.Reasoning);
        }

        if (plan.ToolCalls.Count > 0)
        {
            WriteMessageToolCalls(w, plan.ToolCalls);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        WriteTrailer(w, plan.Meta, "chat.completion");
        WriteUsage(w, plan.Usage, withCachedDetails: PromptTokensDetails);
        WriteTimings(w, plan.Usage);
        w.WriteEndObject();
    }

    private static void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst, UsageNumbers? timings)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteStartObject();
        WriteFinishReason(w, chunk.FinishReason);
        w.WriteNumber("index", 0);
        w.WritePropertyName("delta");
        w.WriteStartObject();
        if (isFirst)
        {
            w.WriteString("role", "assistant");
        }

        if (chunk.Reasoning is not null)
        {
            w.WriteString("reasoning_content", chunk.Reasoning);
        }

        if (chunk.Content is not null)
        {
            w.WriteString("content", chunk.Content);
        }

        if (chunk.ToolCall is { } call)
        {
            w.WriteStartArray("tool_calls");
            WriteOpenAIToolCall(w, call);
            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        WriteTrailer(w, meta, "chat.completion.chunk");
        if (timings is { } usage)
        {
            WriteTimings(w, usage);
        }

        w.WriteEndObject();
    }

    private static void WriteTrailer(Utf8JsonWriter w, CompletionMeta meta, string objectType)
    {
        w.WriteNumber("created", meta.Created);
        w.WriteString("id", meta.Id);
        w.WriteString("model", meta.Model);
        w.WriteString("system_fingerprint", BuildInfo);
        w.WriteString("object", objectType);
    }

    private static void WriteTimings(Utf8JsonWriter w, UsageNumbers usage)
    {
        w.WritePropertyName("timings");
        w.WriteStartObject();
        w.WriteNumber("cache_n", usage.CachedTokens);
        w.WriteNumber("prompt_n", usage.PromptTokens - usage.CachedTokens);
        w.WriteNumber("prompt_ms", 12.5);
        w.WriteNumber("prompt_per_token_ms", 0.1);
        w.WriteNumber("prompt_per_second", 1000.0);
        w.WriteNumber("predicted_n", usage.CompletionTokens);
        w.WriteNumber("predicted_ms", 25.0);
        w.WriteNumber("predicted_per_token_ms", 2.5);
        w.WriteNumber("predicted_per_second", 40.0);
        w.WriteEndObject();
    }

    private void WriteModels(Utf8JsonWriter w)
    {
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var model in Options.Models)
        {
            w.WriteStartObject();
            w.WriteString("id", model);
            w.WriteString("object", "model");
            w.WriteNumber("created", created);
            w.WriteString("owned_by", "llamacpp");
            w.WritePropertyName("meta");
            w.WriteStartObject();
            w.WriteNumber("n_ctx_train", 262144);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void WriteProps(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("default_generation_settings");
        w.WriteStartObject();
        w.WriteNumber("id", 0);
        w.WriteNumber("id_task", -1);
        if (Options.ContextLength is { } contextLength)
        {
            w.WriteNumber("n_ctx", contextLength);
        }

        w.WriteBoolean("is_processing", false);
        w.WriteEndObject();
        w.WriteNumber("total_slots", Options.Slots);
        w.WriteString("model_path", $"/models/{LoadedModel}.gguf");
        w.WriteString("chat_template", "{% for message in messages %}<|im_start|>{{ message.role }}…{% endfor %}");
        bool tools = Options.SupportsTools;
        w.WritePropertyName("chat_template_caps");
        w.WriteStartObject();
        w.WriteBoolean("supports_object_arguments", tools);
        w.WriteBoolean("supports_parallel_tool_calls", tools);
        w.WriteBoolean("supports_preserve_reasoning", true);
        w.WriteBoolean("supports_string_content", true);
        w.WriteBoolean("supports_system_role", true);
        w.WriteBoolean("supports_tool_calls", tools);
        w.WriteBoolean("supports_tools", tools);
        w.WriteBoolean("supports_typed_content", false);
        w.WriteEndObject();

        w.WritePropertyName("modalities");
        w.WriteStartObject();
        w.WriteBoolean("vision", Options.SupportsImages);
        w.WriteBoolean("audio", false);
        w.WriteEndObject();
        w.WriteString("build_info", BuildInfo);
        w.WriteBoolean("is_sleeping", false);
        w.WriteEndObject();
    }

    private void WriteSlots(Utf8JsonWriter w)
    {
        w.WriteStartArray();
        for (var slot = 0; slot < Options.Slots; slot++)
        {
            w.WriteStartObject();
            w.WriteNumber("id", slot);
            w.WriteNumber("id_task", -1);
            w.WriteNumber("n_ctx", Options.ContextLength ?? 4096);
            w.WriteBoolean("speculative", false);
            w.WriteBoolean("is_processing", false);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string ErrorType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        501 => "not_supported_error",
        503 => "unavailable_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
