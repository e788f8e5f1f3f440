using System.Globalization;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// LM Studio's OpenAI-compatible server: reasoning in <c>reasoning_content</c>; a tool call's first fragment
/// carries a numeric-string id, the name and <c>"arguments":""</c>, then the arguments follow in pieces;
/// <c>role</c> only in the first delta; a usage chunk without <c>prompt_tokens_details</c>;
/// <c>/api/v0/models</c> with type, state, max_context_length and capabilities. Any model name is answered by
/// the loaded model (lmstudio-bug-tracker#619: with one model loaded the requested name is ignored).
/// Errors: <c>{"error":{"message","type","param","code"}}</c> (e.g. 404 model_not_found), but a context overflow is
/// a 400 whose <c>error</c> is a plain string ("The number of tokens to keep from the initial prompt is greater
/// than the context length (n_keep: N>= n_ctx: M). …").
/// </summary>
internal sealed class LmStudioDialect(FakeServerOptions options) : FlavorDialect(options)
{
    /// <summary>The identity first, the model name as the fingerprint, <c>reasoning_content</c>.</summary>
    private static readonly ChunkShape Shape = new()
    {
        Identity = [ChunkShape.Id, ChunkShape.Object, ChunkShape.Created, ChunkShape.Model, ChunkShape.Fingerprint],
        FingerprintOf = meta => meta.Model,
        ReasoningField = "reasoning_content",
    };

    public override ServerFlavor Flavor => ServerFlavor.LmStudio;

    public override JsonReply? HandleGet(string path)
    {
        if (path == "/v1/models")
        {
            return Json(200, w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("data");
                foreach (var model in Options.Models)
                {
                    w.WriteStartObject();
                    w.WriteString("id", model);
                    w.WriteString("object", "model");
                    w.WriteString("owned_by", "organization_owner");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("object", "list");
                w.WriteEndObject();
            });
        }

        if (path == "/api/v0/models")
        {
            return Json(200, w =>
            {
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                foreach (var model in Options.Models)
                {
                    WriteNativeModel(w, model);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }

        const string modelPrefix = "/api/v0/models/";
        if (path.StartsWith(modelPrefix, StringComparison.Ordinal))
        {
            var id = Uri.UnescapeDataString(path[modelPrefix.Length..]);
            return Options.Models.Contains(id)
                ? Json(200, w => WriteNativeModel(w, id))
                : ServerError(404, $"Model \"{id}\" not found.");
        }

        return null;
    }

    public override JsonReply NotFound(string method, string path) =>
        StringError(404, $"Unexpected endpoint or method. ({method} {path})");

    public override JsonReply InvalidJson(string detail) => ServerError(400, $"Invalid JSON in request body: {detail}");

    public override JsonReply ServerError(int status, string message) =>
        Json(status, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("error");
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteString("type", status >= 500 ? "server_error" : "invalid_request_error");
            w.WriteNull("param");
            w.WriteNull("code");
            w.WriteEndObject();
            w.WriteEndObject();
        });

    public override JsonReply ContextOverflow(int promptTokens, int contextSize) =>
        StringError(400,
            $"The number of tokens to keep from the initial prompt is greater than the context length (n_keep: {promptTokens}>= n_ctx: {contextSize}). "
            + "Try to load the model with a larger context length, or provide a shorter input.");

    public override string NewCompletionId() => $"chatcmpl-{RandomAlphanumeric(20)}";

    public override string NewToolCallId() => Random.Shared.Next(100_000_000, 1_000_000_000).ToString(CultureInfo.InvariantCulture);

    public override string ResponseModel(string? requested) =>
        requested is not null && Options.Models.Contains(requested) ? requested : LoadedModel;

    /// <summary>id, type, name and <c>"arguments":""</c> first; then only index and argument pieces.</summary>
    public override IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call) =>
        Piecewise(call, "", TextSplitter.Split(call.Arguments, ArgumentsPieceSize));

    public override void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst)
    {
        w.WriteStartObject();
        Shape.WriteIdentity(w, meta, "chat.completion.chunk");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        WriteDelta(w, Shape, chunk, isFirst);
        w.WriteNull("logprobs");
        WriteFinishReason(w, chunk.FinishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public override void WriteUsageChunk(Utf8JsonWriter w, CompletionMeta meta, UsageNumbers usage) =>
        WriteIdentityFirstUsageChunk(w, Shape, meta, usage, withCachedDetails: false);

    public override void WriteCompletion(Utf8JsonWriter w, CompletionPlan plan)
    {
        w.WriteStartObject();
        Shape.WriteIdentity(w, plan.Meta, "chat.completion");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", plan.FinishReason);
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
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, plan.Usage, withCachedDetails: false);
        w.WritePropertyName("stats");
        w.WriteStartObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void WriteNativeModel(Utf8JsonWriter w, string model)
    {
        w.WriteStartObject();
        w.WriteString("id", model);
        w.WriteString("object", "model");
        w.WriteString("type", "llm");
        w.WriteString("publisher", "fake");
        w.WriteString("arch", "qwen3");
        w.WriteString("compatibility_type", "mlx");
        w.WriteString("quantization", "4bit");
        w.WriteString("state", model == LoadedModel ? "loaded" : "not-loaded");
        if (Options.ContextLength is { } contextLength)
        {
            w.WriteNumber("max_context_length", contextLength);
        }

        if (model == LoadedModel && Options.LoadedContextLength is { } loaded)
        {
            w.WriteNumber("loaded_context_length", loaded);
        }

        w.WriteStartArray("capabilities");
        if (Options.SupportsTools)
        {
            w.WriteStringValue("tool_use");
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
