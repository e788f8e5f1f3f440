using System.Globalization;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// A generic OpenAI-compatible server in the manner of llama.cpp's <c>llama-server</c>, Ollama and vLLM:
/// <c>call_N</c> ids with the name and the first arguments piece together; reasoning in <c>delta.reasoning</c>;
/// the finish_reason in its own chunk with an empty delta (Ollama); <c>content: null</c> in a non-streamed message
/// that only calls tools; usage with <c>prompt_tokens_details</c> and llama.cpp's <c>timings</c>.
/// Errors take llama.cpp's shape <c>{"error":{"code","message","type"}}</c>, type by status as in llama.cpp's
/// server (invalid_request_error, authentication_error, permission_error, not_found_error, server_error,
/// not_supported_error, unavailable_error); a context overflow is llama.cpp's 400
/// <c>exceed_context_size_error</c> with <c>n_prompt_tokens</c> and <c>n_ctx</c>. Without tool support a request
/// carrying <c>tools</c> gets vLLM's 400 (<c>{"error":{"message","type":"BadRequestError","param","code":400}}</c>).
/// </summary>
internal sealed class GenericDialect(FakeServerOptions options) : LlamaServerDialect(options)
{
    private static readonly ChunkShape TrailerShape = new()
    {
        Identity = [ChunkShape.Created, ChunkShape.Id, ChunkShape.Model, ChunkShape.Fingerprint, ChunkShape.Object],
        FingerprintOf = _ => "b6500-fake",
    };

    private int _toolCallCount;

    public override ServerFlavor Flavor => ServerFlavor.Generic;

    protected override ChunkShape Shape => TrailerShape;

    protected override LlamaTimings Timings { get; } = new(PromptMs: 1.5, PredictedMs: 2.5);

    protected override bool PromptTokensDetails => true;

    public override JsonReply? HandleGet(string path) => path switch
    {
        "/v1/models" or "/models" => Json(200, WriteModels),
        "/health" => HealthOk(),
        "/props" => Json(200, WriteProps),
        _ => null,
    };

    /// <summary>vLLM's 400 for <c>tools</c> when tool support is off.</summary>
    public override JsonReply? CheckChat(ChatRequest request)
    {
        if (Options.SupportsTools
            || !request.Root.TryGetProperty("tools", out var tools)
            || tools.ValueKind != JsonValueKind.Array
            || tools.GetArrayLength() == 0)
        {
            return null;
        }

        return Json(400, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("error");
            w.WriteStartObject();
            w.WriteString("message", "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set");
            w.WriteString("type", "BadRequestError");
            w.WriteNull("param");
            w.WriteNumber("code", 400);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary><c>call_1</c>, <c>call_2</c>, … counted per server, so ids stay unique across turns.</summary>
    public override string NewToolCallId() =>
        "call_" + Interlocked.Increment(ref _toolCallCount).ToString(CultureInfo.InvariantCulture);

    /// <summary>id, type, name and the first arguments piece together; then the other pieces.</summary>
    public override IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call)
    {
        var pieces = TextSplitter.Split(call.Arguments, ArgumentsPieceSize).ToList();
        return Piecewise(call, pieces.Count > 0 ? pieces[0] : "", pieces.Skip(1));
    }

    /// <summary>llama.cpp's <c>/props</c>: the context size lives in <c>default_generation_settings.n_ctx</c>.</summary>
    private void WriteProps(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("default_generation_settings");
        w.WriteStartObject();
        if (Options.ContextLength is { } contextLength)
        {
            w.WriteNumber("n_ctx", contextLength);
        }

        w.WriteEndObject();
        w.WriteNumber("total_slots", 1);
        w.WriteString("model_path", LoadedModel);
        w.WriteEndObject();
    }
}
