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
internal sealed class GenericDialect(FakeServerOptions options) : FlavorDialect(options)
{
    private const string SystemFingerprint = "b6500-fake";
    private int _toolCallCount;

    public override ServerFlavor Flavor => ServerFlavor.Generic;

    public override bool FinishReasonInOwnChunk => true;

    public override JsonReply? HandleGet(string path) => path switch
    {
        "/v1/models" or "/models" => Json(200, WriteModels),
        "/health" => Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("status", "ok");
            w.WriteEndObject();
        }),
        "/props" => Json(200, WriteProps),
        _ => null,
    };

    public override JsonReply NotFound(string method, string path) => ServerError(404, "File Not Found");

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

    /// <summary><c>call_1</c>, <c>call_2</c>, … counted per server, so ids stay unique across turns.</summary>
    public override string NewToolCallId() =>
        "call_" + Interlocked.Increment(ref _toolCallCount).ToString(CultureInfo.InvariantCulture);

    public override string ResponseModel(string? requested) => requested ?? LoadedModel;

    /// <summary>id, type, name and the first arguments piece together; then the other pieces.</summary>
    public override IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call)
    {
        var pieces = TextSplitter.Split(call.Arguments, ArgumentsPieceSize).ToList();
        return Piecewise(call, pieces.Count > 0 ? pieces[0] : "", pieces.Skip(1));
    }

    public override void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst)
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
            w.WriteString("reasoning", chunk.Reasoning);
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
        w.WriteEndObject();
    }

    public override void WriteUsageChunk(Utf8JsonWriter w, CompletionMeta meta, UsageNumbers usage)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteEndArray();
        WriteTrailer(w, meta, "chat.completion.chunk");
        WriteUsage(w, usage, withCachedDetails: true);
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
            w.WriteString("reasoning", plan.Reasoning);
        }

        if (plan.ToolCalls.Count > 0)
        {
            WriteMessageToolCalls(w, plan.ToolCalls);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        WriteTrailer(w, plan.Meta, "chat.completion");
        WriteUsage(w, plan.Usage, withCachedDetails: true);
        WriteTimings(w, plan.Usage);
        w.WriteEndObject();
    }

    /// <summary>llama.cpp writes the identity after the choices.</summary>
    private static void WriteTrailer(Utf8JsonWriter w, CompletionMeta meta, string objectType)
    {
        w.WriteNumber("created", meta.Created);
        w.WriteString("id", meta.Id);
        w.WriteString("model", meta.Model);
        w.WriteString("system_fingerprint", SystemFingerprint);
        w.WriteString("object", objectType);
    }

    /// <summary>llama.cpp's extra <c>timings</c> object: proxies must ignore unknown fields.</summary>
    private static void WriteTimings(Utf8JsonWriter w, UsageNumbers usage)
    {
        w.WritePropertyName("timings");
        w.WriteStartObject();
        w.WriteNumber("cache_n", usage.CachedTokens);
        w.WriteNumber("prompt_n", usage.PromptTokens - usage.CachedTokens);
        w.WriteNumber("prompt_ms", 1.5);
        w.WriteNumber("predicted_n", usage.CompletionTokens);
        w.WriteNumber("predicted_ms", 2.5);
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
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
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

    /// <summary>llama.cpp's error types by status.</summary>
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
