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
internal sealed class LlamaCppDialect(FakeServerOptions options) : LlamaServerDialect(options)
{
    private const string BuildInfo = "b7100-fake";

    private static readonly ChunkShape TrailerShape = new()
    {
        Identity = [ChunkShape.Created, ChunkShape.Id, ChunkShape.Model, ChunkShape.Fingerprint, ChunkShape.Object],
        FingerprintOf = _ => BuildInfo,
        ReasoningField = "reasoning_content",
    };

    public override ServerFlavor Flavor => ServerFlavor.LlamaCpp;

    protected override ChunkShape Shape => TrailerShape;

    protected override LlamaTimings Timings { get; } = new(
        PromptMs: 12.5,
        PredictedMs: 25.0,
        PromptRate: new TimingRate(PerTokenMs: 0.1, PerSecond: 1000.0),
        PredictedRate: new TimingRate(PerTokenMs: 2.5, PerSecond: 40.0));

    protected override bool TimingsOnFinishChunk => true;

    protected override bool PromptTokensDetails => Options.PromptTokensDetails ?? false;

    protected override int? TrainedContext => 262144;

    public override JsonReply? HandleGet(string path) => path switch
    {
        "/v1/models" or "/models" => Json(200, WriteModels),
        "/health" or "/v1/health" => HealthOk(),
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

    public override JsonReply? CheckChat(ChatRequest request) =>
        !Options.SupportsTools && request.Root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array
            ? ServerError(500, "tools param requires --jinja flag")
            : null;

    public override string NewToolCallId() => RandomAlphanumeric(32);

    /// <summary>id, type, name and empty arguments first; then the argument pieces.</summary>
    public override IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call) =>
        Piecewise(call, "", TextSplitter.Split(call.Arguments, ArgumentsPieceSize));

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
        TrailerShape.WriteIdentity(w, meta, "chat.completion.chunk");
        w.WritePropertyName("prompt_progress");
        w.WriteStartObject();
        w.WriteNumber("total", total);
        w.WriteNumber("cache", cached);
        w.WriteNumber("processed", processed);
        w.WriteNumber("time_ms", elapsedMs);
        w.WriteEndObject();
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
}
