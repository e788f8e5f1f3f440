using System.Text.Encodings.Web;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// <c>mlx_lm.server</c> (a Python <c>BaseHTTPRequestHandler</c>), after ml-explore/mlx-lm <c>mlx_lm/server.py</c>:
/// every delta is <c>{"role":"assistant","content","reasoning","tool_calls":[]}</c> (all four keys, every time);
/// whole tool calls with uuid4 ids; <c>: keepalive N/M</c> comments during prefill; a usage chunk with
/// <c>"object":"chat.completion"</c> and <c>prompt_tokens_details.cached_tokens</c>; non-ASCII escaped like
/// Python's <c>json.dumps</c>. Requests without Content-Length are refused (411), and generation errors come back
/// as 404 <c>{"error":"…"}</c> (recent versions answer 500/503 instead; protocol.md documents the 404).
/// </summary>
internal sealed class MlxLmDialect(FakeServerOptions options) : FlavorDialect(options)
{
    private const string DefaultModel = "default_model";
    private const string SystemFingerprint = "0.30.0-0.29.3-macOS-15.6-arm64-fake";

    /// <summary>mlx-lm's identity order: id, system_fingerprint, object, model, created.</summary>
    private static readonly ChunkShape Shape = new()
    {
        Identity = [ChunkShape.Id, ChunkShape.Fingerprint, ChunkShape.Object, ChunkShape.Model, ChunkShape.Created],
        FingerprintOf = _ => SystemFingerprint,
    };

    public override ServerFlavor Flavor => ServerFlavor.MlxLm;

    /// <summary>Python's <c>json.dumps</c> escapes every non-ASCII character as <c>\uXXXX</c>.</summary>
    public override JsonWriterOptions JsonOptions { get; } = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary><c>: keepalive N/M</c> comments (N of M prompt tokens done), whether asked or not.</summary>
    public override PrefillProgress? Prefill(ChatRequest request, CompletionMeta? meta, int promptTokens, int cachedTokens)
    {
        int total = Math.Max(promptTokens, 1);
        return new PrefillProgress(total, 0, AtLeastOnce: false, (processed, _) =>
            SseFrame.Comment(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"keepalive {processed}/{total}")));
    }

    public override JsonReply? HandleGet(string path)
    {
        if (path == "/v1/models" || path.StartsWith("/v1/models/", StringComparison.Ordinal))
        {
            return Json(200, w => WriteModelList(w, Options.Models));
        }

        // Written by hand in server.py, hence the space.
        return path == "/health" ? JsonReply.Raw(200, """{"status": "ok"}""") : null;
    }

    /// <summary>mlx-lm answers unknown paths with a plain "Not Found" labelled application/json.</summary>
    public override JsonReply NotFound(string method, string path) => JsonReply.Raw(404, "Not Found");

    /// <summary>mlx-lm reads exactly Content-Length bytes; a chunked body has none, so it is refused.</summary>
    public override JsonReply? CheckTransport(RecordedRequest request) =>
        request.HadContentLength ? null : StringError(411, "Length Required");

    public override JsonReply? CheckChat(ChatRequest request)
    {
        var model = request.Model ?? DefaultModel;
        if (model != DefaultModel && !Options.Models.Contains(model))
        {
            // mlx-lm tries to load any other name from the Hugging Face hub and reports the failure as a 404.
            return StringError(404,
                $"404 Client Error. Repository Not Found for url: https://huggingface.co/api/models/{model}/revision/main. "
                + $"Please make sure you specified the correct `repo_id` and `repo_type`. (mlx-lm could not load model '{model}')");
        }

        if (!request.Root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return StringError(404, "Request did not contain messages");
        }

        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array
                && content.EnumerateArray().Any(part => !IsTextPart(part)))
            {
                return StringError(404, "Only 'text' content type is supported.");
            }

            if (FirstUnparseableArguments(message) is { } error)
            {
                // process_message_content() json.loads() each assistant tool call's arguments.
                return StringError(404, error);
            }
        }

        return null;
    }

    public override JsonReply InvalidJson(string detail) => StringError(400, $"Invalid JSON in request body: {detail}");

    public override JsonReply ServerError(int status, string message) => StringError(status, message);

    /// <summary>The ValueError of mlx-lm's prompt limit, reported like any generation error.</summary>
    public override JsonReply ContextOverflow(int promptTokens, int contextSize) =>
        StringError(404, $"Prompt exceeds max prompt token limit: prompt_tokens={promptTokens}, max_prompt_tokens={contextSize}");

    public override string NewCompletionId() => $"chatcmpl-{Guid.NewGuid()}";

    public override string NewToolCallId() => Guid.NewGuid().ToString();

    public override string ResponseModel(string? requested) => requested ?? DefaultModel;

    /// <summary>Each completed call arrives whole, in one chunk.</summary>
    public override IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call) =>
        [new ToolCallFragment(call.Index, call.Id, call.Name, call.Arguments)];

    public override void WriteChunk(Utf8JsonWriter w, CompletionMeta meta, PlannedChunk chunk, bool isFirst)
    {
        w.WriteStartObject();
        Shape.WriteIdentity(w, meta, "chat.completion.chunk");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        WriteFinishReason(w, chunk.FinishReason);
        w.WritePropertyName("delta");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", chunk.Content ?? "");
        w.WriteString("reasoning", chunk.Reasoning ?? "");
        w.WriteStartArray("tool_calls");
        if (chunk.ToolCall is { } call)
        {
            WriteStreamToolCall(w, call);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>mlx-lm's usage chunk says <c>chat.completion</c>, not <c>chat.completion.chunk</c>.</summary>
    public override void WriteUsageChunk(Utf8JsonWriter w, CompletionMeta meta, UsageNumbers usage) =>
        WriteIdentityFirstUsageChunk(w, Shape, meta, usage, withCachedDetails: true, objectType: "chat.completion");

    public override void WriteCompletion(Utf8JsonWriter w, CompletionPlan plan)
    {
        w.WriteStartObject();
        Shape.WriteIdentity(w, plan.Meta, "chat.completion");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteString("finish_reason", plan.FinishReason);
        w.WritePropertyName("message");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", plan.Content);
        w.WriteString("reasoning", plan.Reasoning ?? "");
        w.WriteStartArray("tool_calls");
        foreach (var call in plan.ToolCalls)
        {
            w.WriteStartObject();
            WriteFunction(w, call.Name, call.Arguments);
            w.WriteString("type", "function");
            w.WriteString("id", call.Id);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, plan.Usage, withCachedDetails: true);
        w.WriteEndObject();
    }

    /// <summary>mlx-lm's key order: function, type, id, index.</summary>
    private static void WriteStreamToolCall(Utf8JsonWriter w, ToolCallFragment call)
    {
        w.WriteStartObject();
        WriteFunction(w, call.Name ?? "", call.Arguments ?? "");
        w.WriteString("type", "function");
        w.WriteString("id", call.Id);
        w.WriteNumber("index", call.Index);
        w.WriteEndObject();
    }

    private static void WriteFunction(Utf8JsonWriter w, string name, string arguments)
    {
        w.WritePropertyName("function");
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("arguments", arguments);
        w.WriteEndObject();
    }

    private static bool IsTextPart(JsonElement part) =>
        part.ValueKind == JsonValueKind.Object
        && part.TryGetProperty("type", out var type)
        && type.ValueKind == JsonValueKind.String
        && type.ValueEquals("text");

    private static string? FirstUnparseableArguments(JsonElement message)
    {
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind == JsonValueKind.Object
                && call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object
                && function.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.String
                && arguments.GetString() is { Length: > 0 } text)
            {
                try
                {
                    using var _ = JsonDocument.Parse(text);
                }
                catch (JsonException)
                {
                    return "Expecting value: line 1 column 1 (char 0)";
                }
            }
        }

        return null;
    }
}
