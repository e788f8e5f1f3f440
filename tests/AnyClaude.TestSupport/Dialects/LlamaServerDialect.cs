using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// What the servers in llama.cpp's manner (<see cref="LlamaCppDialect"/>, <see cref="GenericDialect"/>) write alike: the
/// identity after the choices, the finish_reason first in a choice and in a chunk of its own, <c>content: null</c> in a
/// message that only calls tools, a <c>timings</c> object after the usage, and llama.cpp's errors
/// (<c>{"error":{"code","message","type"}}</c>, type by status; the 400 <c>exceed_context_size_error</c> with
/// <c>n_prompt_tokens</c> and <c>n_ctx</c>). Each says by data how it differs: its <see cref="Shape"/>, its
/// <see cref="Timings"/>, whether the finish chunk carries them, whether usage has <c>prompt_tokens_details</c>.
/// </summary>
internal abstract class LlamaServerDialect(FakeServerOptions options) : FlavorDialect(options)
{
    public sealed override bool FinishReasonInOwnChunk => true;

    /// <summary>The identity order (after the choices) and the reasoning field's name.</summary>
    protected abstract ChunkShape Shape { get; }

    protected abstract LlamaTimings Timings { get; }

    /// <summary>Whether the chunk with the finish_reason carries the answer's timings too (llama.cpp does).</summary>
    protected virtual bool TimingsOnFinishChunk => false;

    protected abstract bool PromptTokensDetails { get; }

    /// <summary>The <c>meta.n_ctx_train</c> of each listed model, when the server reports one.</summary>
    protected virtual int? TrainedContext => null;

    public sealed override JsonReply NotFound(string method, string path) => ServerError(404, "File Not Found");

    public sealed override JsonReply InvalidJson(string detail) => ServerError(400, $"Failed to parse the request body as JSON: {detail}");

    public sealed override JsonReply ServerError(int status, string message) =>
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

    public sealed override JsonReply ContextOverflow(int promptTokens, int contextSize) =>
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

    public sealed override string NewCompletionId() => $"chatcmpl-{RandomAlphanumeric(32)}";

    public sealed override string ResponseModel(string? requested) => requested ?? LoadedModel;

    public sealed override IEnumerable<byte[]> StreamFrames(CompletionPlan plan, bool includeUsage)
    {
        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            var chunk = plan.Chunks[i];
            var isFirst = i == 0;
            UsageNumbers? timings = TimingsOnFinishChunk && chunk.FinishReason is not null ? plan.Usage : null;
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteChunk(w, plan.Meta, chunk, isFirst, timings)));
        }

        if (includeUsage)
        {
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteUsageChunk(w, plan.Meta, plan.Usage)));
        }
    }

    public sealed override void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst) =>
        WriteChunk(w, meta, chunk, isFirst, timings: null);

    public sealed override void WriteUsageChunk(Utf8JsonWriter w, CompletionMeta meta, UsageNumbers usage)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteEndArray();
        Shape.WriteIdentity(w, meta, "chat.completion.chunk");
        WriteUsage(w, usage, withCachedDetails: PromptTokensDetails);
        WriteTimings(w, usage);
        w.WriteEndObject();
    }

    public sealed override void WriteCompletion(Utf8JsonWriter w, CompletionPlan plan)
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
            w.WriteString(Shape.ReasoningField, plan.Reasoning);
        }

        if (plan.ToolCalls.Count > 0)
        {
            WriteMessageToolCalls(w, plan.ToolCalls);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        Shape.WriteIdentity(w, plan.Meta, "chat.completion");
        WriteUsage(w, plan.Usage, withCachedDetails: PromptTokensDetails);
        WriteTimings(w, plan.Usage);
        w.WriteEndObject();
    }

    /// <summary><c>{"status": "ok"}</c>.</summary>
    protected JsonReply HealthOk() => Json(200, w =>
    {
        w.WriteStartObject();
        w.WriteString("status", "ok");
        w.WriteEndObject();
    });

    protected void WriteModels(Utf8JsonWriter w) =>
        WriteModelList(w, Options.Models, (card, _) =>
        {
            card.WriteString("owned_by", "llamacpp");
            if (TrainedContext is { } trained)
            {
                card.WritePropertyName("meta");
                card.WriteStartObject();
                card.WriteNumber("n_ctx_train", trained);
                card.WriteEndObject();
            }
        });

    private void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst, UsageNumbers? timings)
    {
        w.WriteStartObject();
        w.WriteStartArray("choices");
        w.WriteStartObject();
        WriteFinishReason(w, chunk.FinishReason);
        w.WriteNumber("index", 0);
        WriteDelta(w, Shape, chunk, isFirst);
        w.WriteEndObject();
        w.WriteEndArray();
        Shape.WriteIdentity(w, meta, "chat.completion.chunk");
        if (timings is { } usage)
        {
            WriteTimings(w, usage);
        }

        w.WriteEndObject();
    }

    /// <summary>llama.cpp's <c>timings</c> object: proxies must ignore unknown fields.</summary>
    private void WriteTimings(Utf8JsonWriter w, UsageNumbers usage)
    {
        w.WritePropertyName("timings");
        w.WriteStartObject();
        w.WriteNumber("cache_n", usage.CachedTokens);
        w.WriteNumber("prompt_n", usage.PromptTokens - usage.CachedTokens);
        w.WriteNumber("prompt_ms", Timings.PromptMs);
        WriteRate(w, "prompt", Timings.PromptRate);
        w.WriteNumber("predicted_n", usage.CompletionTokens);
        w.WriteNumber("predicted_ms", Timings.PredictedMs);
        WriteRate(w, "predicted", Timings.PredictedRate);
        w.WriteEndObject();
    }

    private static void WriteRate(Utf8JsonWriter w, string phase, TimingRate? rate)
    {
        if (rate is { } r)
        {
            w.WriteNumber($"{phase}_per_token_ms", r.PerTokenMs);
            w.WriteNumber($"{phase}_per_second", r.PerSecond);
        }
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

/// <summary>The fixed figures a fake's <c>timings</c> report; the rates only where the server writes them.</summary>
internal sealed record LlamaTimings(double PromptMs, double PredictedMs, TimingRate? PromptRate = null, TimingRate? PredictedRate = null);

internal readonly record struct TimingRate(double PerTokenMs, double PerSecond);
