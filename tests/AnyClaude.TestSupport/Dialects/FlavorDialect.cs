using System.Text.Encodings.Web;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// Everything one kind of server does its own way: endpoints, request checks, ids, chunk shapes,
/// error bodies. One subclass per <see cref="ServerFlavor"/>.
/// </summary>
internal abstract class FlavorDialect(FakeServerOptions options)
{
    /// <summary>Characters per tool-call arguments fragment for servers that stream arguments piecewise.</summary>
    protected const int ArgumentsPieceSize = 5;

    private const string Alphanumerics = "abcdefghijklmnopqrstuvwxyz0123456789";

    public FakeServerOptions Options { get; } = options;

    public abstract ServerFlavor Flavor { get; }

    /// <summary>How this server's JSON looks on the wire (raw UTF-8 unless overridden).</summary>
    public virtual JsonWriterOptions JsonOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The first configured model: the one "loaded".</summary>
    public string LoadedModel => Options.Models.Count > 0 ? Options.Models[0] : "fake-model";

    /// <summary>Whether the finish_reason comes in a chunk of its own with an empty delta (Ollama style).</summary>
    public virtual bool FinishReasonInOwnChunk => false;

    /// <summary>
    /// What the server sends while it prefills a streamed answer (its <paramref name="meta"/>; null for a raw script), or
    /// null when it sends nothing.
    /// </summary>
    public virtual PrefillProgress? Prefill(ChatRequest request, CompletionMeta? meta, int promptTokens, int cachedTokens) => null;

    public virtual bool IsChatPath(string path) => path is "/v1/chat/completions" or "/chat/completions";

    /// <summary>The answer to a GET, or null when the path is unknown.</summary>
    public abstract JsonReply? HandleGet(string path);

    public abstract JsonReply NotFound(string method, string path);

    /// <summary>The answer to a POST that is not a chat request (<c>/tokenize</c>, <c>/apply-template</c>, …), or null when the path is unknown.</summary>
    public virtual JsonReply? HandlePost(RecordedRequest request) => null;

    /// <summary>A refusal based on how the request was sent (before its body is parsed), or null.</summary>
    public virtual JsonReply? CheckTransport(RecordedRequest request) => null;

    /// <summary>A refusal based on the body's content, or null to go on with the script.</summary>
    public virtual JsonReply? CheckChat(ChatRequest request) => null;

    public abstract JsonReply InvalidJson(string detail);

    public abstract JsonReply ServerError(int status, string message);

    public abstract JsonReply ContextOverflow(int promptTokens, int contextSize);

    public abstract string NewCompletionId();

    public abstract string NewToolCallId();

    /// <summary>The <c>model</c> the answer reports for a requested name.</summary>
    public abstract string ResponseModel(string? requested);

    /// <summary>The stream fragments of one tool call.</summary>
    public abstract IEnumerable<ToolCallFragment> Fragment(ResolvedToolCall call);

    public abstract void WriteChunk(Utf8JsonWriter writer, CompletionMeta meta, PlannedChunk chunk, bool isFirst);

    /// <summary>The final <c>choices: []</c> chunk sent when the request asked for usage.</summary>
    public abstract void WriteUsageChunk(Utf8JsonWriter writer, CompletionMeta meta, UsageNumbers usage);

    /// <summary>
    /// The <c>data:</c> (and comment) frames of one streamed answer before <c>[DONE]</c>: every planned chunk, then the usage
    /// chunk when the request asked for it. Servers that put the usage elsewhere override it.
    /// </summary>
    public virtual IEnumerable<byte[]> StreamFrames(CompletionPlan plan, bool includeUsage)
    {
        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            var chunk = plan.Chunks[i];
            var isFirst = i == 0;
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteChunk(w, plan.Meta, chunk, isFirst)));
        }

        if (includeUsage)
        {
            yield return SseFrame.Data(JsonReply.JsonBytes(JsonOptions, w => WriteUsageChunk(w, plan.Meta, plan.Usage)));
        }
    }

    /// <summary>The non-streaming <c>chat.completion</c> object.</summary>
    public abstract void WriteCompletion(Utf8JsonWriter writer, CompletionPlan plan);

    protected JsonReply Json(int status, Action<Utf8JsonWriter> write) => JsonReply.Json(status, JsonOptions, write);

    /// <summary><c>{"error": "message"}</c>, the shape of mlx-lm and of some LM Studio errors.</summary>
    protected JsonReply StringError(int status, string message) =>
        Json(status, w =>
        {
            w.WriteStartObject();
            w.WriteString("error", message);
            w.WriteEndObject();
        });

    protected static string RandomAlphanumeric(int length) =>
        string.Create(length, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphanumerics[Random.Shared.Next(Alphanumerics.Length)];
            }
        });

    /// <summary>The first fragment (id, type, name and <paramref name="firstArguments"/>) and the remaining argument pieces.</summary>
    protected static IEnumerable<ToolCallFragment> Piecewise(ResolvedToolCall call, string firstArguments, IEnumerable<string> rest)
    {
        yield return new ToolCallFragment(call.Index, call.Id, call.Name, firstArguments);
        foreach (var piece in rest)
        {
            yield return new ToolCallFragment(call.Index, null, null, piece);
        }
    }

    /// <summary><c>{"index"?, "id", "type":"function", "function":{"name","arguments"}}</c> in OpenAI's field order.</summary>
    protected static void WriteOpenAIToolCall(Utf8JsonWriter w, ToolCallFragment fragment)
    {
        w.WriteStartObject();
        w.WriteNumber("index", fragment.Index);
        if (fragment.Id is not null)
        {
            w.WriteString("id", fragment.Id);
            w.WriteString("type", "function");
        }

        w.WritePropertyName("function");
        w.WriteStartObject();
        if (fragment.Name is not null)
        {
            w.WriteString("name", fragment.Name);
        }

        if (fragment.Arguments is not null)
        {
            w.WriteString("arguments", fragment.Arguments);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A whole call in a non-streaming message: <c>{"id","type":"function","function":{"name","arguments"}}</c>.</summary>
    protected static void WriteMessageToolCalls(Utf8JsonWriter w, IReadOnlyList<ResolvedToolCall> calls)
    {
        w.WriteStartArray("tool_calls");
        foreach (var call in calls)
        {
            w.WriteStartObject();
            w.WriteString("id", call.Id);
            w.WriteString("type", "function");
            w.WritePropertyName("function");
            w.WriteStartObject();
            w.WriteString("name", call.Name);
            w.WriteString("arguments", call.Arguments);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// <c>{"object":"list","data":[{"id","object":"model","created", …}]}</c> over the configured models, each card ending
    /// with the server's own fields (<paramref name="writeExtras"/>).
    /// </summary>
    protected static void WriteModelList(Utf8JsonWriter w, IEnumerable<string> models, Action<Utf8JsonWriter, string>? writeExtras = null)
    {
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var model in models)
        {
            w.WriteStartObject();
            w.WriteString("id", model);
            w.WriteString("object", "model");
            w.WriteNumber("created", created);
            writeExtras?.Invoke(w, model);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary><c>"delta": {role on the first, reasoning, content, tool_calls}</c> in <paramref name="shape"/>'s order and names.</summary>
    protected static void WriteDelta(Utf8JsonWriter w, ChunkShape shape, PlannedChunk chunk, bool isFirst)
    {
        w.WritePropertyName("delta");
        w.WriteStartObject();
        if (isFirst)
        {
            w.WriteString("role", "assistant");
        }

        if (shape.ContentFirst)
        {
            if (isFirst || chunk.Content is not null)
            {
                w.WriteString("content", chunk.Content ?? "");
            }

            WriteReasoning(w, shape, chunk.Reasoning);
        }
        else
        {
            WriteReasoning(w, shape, chunk.Reasoning);
            if (chunk.Content is not null)
            {
                w.WriteString("content", chunk.Content);
            }
        }

        if (chunk.ToolCall is { } call)
        {
            w.WriteStartArray("tool_calls");
            WriteOpenAIToolCall(w, call);
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>The usage-only chunk of the servers that write their identity first: <c>{identity, "choices": [], usage}</c>.</summary>
    protected static void WriteIdentityFirstUsageChunk(Utf8JsonWriter w, ChunkShape shape, CompletionMeta meta, UsageNumbers usage, bool withCachedDetails, string objectType = "chat.completion.chunk")
    {
        w.WriteStartObject();
        shape.WriteIdentity(w, meta, objectType);
        w.WriteStartArray("choices");
        w.WriteEndArray();
        WriteUsage(w, usage, withCachedDetails);
        w.WriteEndObject();
    }

    private static void WriteReasoning(Utf8JsonWriter w, ChunkShape shape, string? reasoning)
    {
        if (reasoning is not null)
        {
            w.WriteString(shape.ReasoningField, reasoning);
        }
    }

    protected static void WriteFinishReason(Utf8JsonWriter w, string? finishReason)
    {
        if (finishReason is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finishReason);
        }
    }

    /// <summary><c>"usage": {prompt_tokens, completion_tokens, total_tokens[, prompt_tokens_details{cached_tokens}]}</c>.</summary>
    protected static void WriteUsage(Utf8JsonWriter w, UsageNumbers usage, bool withCachedDetails)
    {
        w.WritePropertyName("usage");
        w.WriteStartObject();
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        if (withCachedDetails)
        {
            w.WritePropertyName("prompt_tokens_details");
            w.WriteStartObject();
            w.WriteNumber("cached_tokens", usage.CachedTokens);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
