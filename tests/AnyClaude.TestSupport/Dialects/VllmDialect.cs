using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>
/// vLLM's OpenAI-compatible server (vllm/entrypoints/openai): <c>/v1/models</c> cards with <c>max_model_len</c>; only the
/// served names are answered (others: 404 NotFoundError "The model `x` does not exist."); a first chunk with
/// <c>"role":"assistant","content":""</c>; reasoning in <c>delta.reasoning</c>; tool calls with <c>chatcmpl-tool-…</c>
/// ids, the name first with <c>"arguments":""</c>, then the pieces; the finish_reason on its own chunk with
/// <c>stop_reason</c>; the usage chunk with <c>prompt_tokens_details</c> only when <see cref="FakeServerOptions.PromptTokensDetails"/>
/// (vLLM's <c>--enable-prompt-tokens-details</c>) is on. Refusals are vLLM's <c>{"error":{"message","type","param","code"}}</c>:
/// tools with <c>tool_choice</c> auto (or none given) on a server without tool support (the exact 400 of a server started
/// without <c>--enable-auto-tool-choice</c>), prompt plus <c>max_tokens</c> over <c>max_model_len</c> ("'max_tokens' or
/// 'max_completion_tokens' is too large: …"), a prompt over it alone. <c>POST /tokenize</c> takes a chat request and
/// answers <c>{"count","max_model_len","tokens","token_strs"}</c>, counted with <see cref="FakeChatTemplate"/>.
/// </summary>
internal sealed class VllmDialect(FakeServerOptions options) : FlavorDialect(options)
{
    public override ServerFlavor Flavor => ServerFlavor.Vllm;

    public override bool FinishReasonInOwnChunk => true;

    /// <summary>The identity first, content before reasoning, the first delta always with content.</summary>
    private static readonly ChunkShape Shape = new()
    {
        Identity = [ChunkShape.Id, ChunkShape.Object, ChunkShape.Created, ChunkShape.Model],
        ContentFirst = true,
    };

    private bool PromptTokensDetails => Options.PromptTokensDetails ?? false;

    private int MaxModelLen => Options.ContextLength ?? 32768;

    public override JsonReply? HandleGet(string path) => path switch
    {
        "/v1/models" => Json(200, WriteModels),
        "/health" => new JsonReply(200, [], "text/plain"),
        "/version" => Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("version", "0.11.0");
            w.WriteEndObject();
        }),
        _ => null,
    };

    public override JsonReply? HandlePost(RecordedRequest request)
    {
        if (request.Path != "/tokenize")
        {
            return null;
        }

        if (!ChatRequest.TryParse(request.Body, out var body, out var error))
        {
            return InvalidJson(error);
        }

        if (UnknownModel(body.Model) is { } notFound)
        {
            return notFound;
        }

        var tokens = body.Root.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String
            ? FakeChatTemplate.Tokenize(prompt.GetString()!, addSpecial: true)
            : FakeChatTemplate.Tokenize(FakeChatTemplate.Render(body.Root), addSpecial: false);
        return Json(200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", tokens.Count);
            w.WriteNumber("max_model_len", MaxModelLen);
            w.WriteStartArray("tokens");
            foreach (int token in tokens)
            {
                w.WriteNumberValue(token);
            }

            w.WriteEndArray();
            w.WriteNull("token_strs");
            w.WriteEndObject();
        });
    }

    public override JsonReply NotFound(string method, string path) =>
        Json(404, w =>
        {
            w.WriteStartObject();
            w.WriteString("detail", "Not Found");
            w.WriteEndObject();
        });

    public override JsonReply? CheckChat(ChatRequest request)
    {
        if (UnknownModel(request.Model) is { } notFound)
        {
            return notFound;
        }

        bool hasTools = request.Root.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;
        bool autoChoice = !request.Root.TryGetProperty("tool_choice", out var choice)
            || (choice.ValueKind == JsonValueKind.String && choice.ValueEquals("auto"));
        if (hasTools && autoChoice && !Options.SupportsTools)
        {
            return Error(400, "BadRequestError", "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set");
        }

        // vLLM measures the prompt with the tokenizer its /tokenize uses.
        int prompt = FakeChatTemplate.Tokenize(FakeChatTemplate.Render(request.Root), addSpecial: false).Count;
        if (prompt >= MaxModelLen)
        {
            return ContextOverflow(prompt, MaxModelLen);
        }

        int? asked = MaxTokens(request.Root);
        if (asked is { } maxTokens && prompt + maxTokens > MaxModelLen)
        {
            return Error(
                400,
                "BadRequestError",
                $"'max_tokens' or 'max_completion_tokens' is too large: {maxTokens}. This model's maximum context length is {MaxModelLen} tokens " +
                $"and your request has {prompt} input tokens ({maxTokens} > {MaxModelLen} - {prompt}). (parameter=max_tokens, value={maxTokens})");
        }

        return null;
    }

    public override JsonReply InvalidJson(string detail) => Error(400, "BadRequestError", $"JSON decode error: {detail}");

    public override JsonReply ServerError(int status, string message) =>
        Error(status, status switch { 400 => "BadRequestError", 404 => "NotFoundError", _ => "InternalServerError" }, message);

    public override JsonReply ContextOverflow(int promptTokens, int contextSize) =>
        Error(
            400,
            "BadRequestError",
            $"This model's maximum context length is {contextSize} tokens. However, your request has {promptTokens} input tokens. " +
            "Please reduce the length of the input messages.");

    public override string NewCompletionId() => $"chatcmpl-{Guid.NewGuid():N}";

    public override string NewToolCallId() => $"chatcmpl-tool-{Guid.NewGuid():N}";

    public override string ResponseModel(string? requested) => requested ?? LoadedModel;

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
        if (chunk.FinishReason is not null)
        {
            w.WriteNull("stop_reason");
        }

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public override void WriteUsageChunk(Utf8JsonWriter w, CompletionMeta meta, UsageNumbers usage) =>
        WriteIdentityFirstUsageChunk(w, Shape, meta, usage, withCachedDetails: PromptTokensDetails);

    public override void WriteCompletion(Utf8JsonWriter w, CompletionPlan plan)
    {
        w.WriteStartObject();
        Shape.WriteIdentity(w, plan.Meta, "chat.completion");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WritePropertyName("message");
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", plan.Content);
        w.WriteNull("refusal");
        if (plan.ToolCalls.Count > 0)
        {
            WriteMessageToolCalls(w, plan.ToolCalls);
        }
        else
        {
            w.WriteStartArray("tool_calls");
            w.WriteEndArray();
        }

        if (plan.Reasoning is not null)
        {
            w.WriteString("reasoning", plan.Reasoning);
        }

        w.WriteEndObject();
        w.WriteNull("logprobs");
        w.WriteString("finish_reason", plan.FinishReason);
        w.WriteNull("stop_reason");
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, plan.Usage, withCachedDetails: PromptTokensDetails);
        w.WriteEndObject();
    }

    private static int? MaxTokens(JsonElement root)
    {
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int tokens))
            {
                return tokens;
            }
        }

        return null;
    }

    private JsonReply? UnknownModel(string? model) =>
        model is not null && !Options.Models.Contains(model)
            ? Error(404, "NotFoundError", $"The model `{model}` does not exist.", "model")
            : null;

    private JsonReply Error(int status, string type, string message, string? param = null) =>
        Json(status, w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("error");
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteString("type", type);
            if (param is null)
            {
                w.WriteNull("param");
            }
            else
            {
                w.WriteString("param", param);
            }

            w.WriteNumber("code", status);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private void WriteModels(Utf8JsonWriter w) =>
        WriteModelList(w, Options.Models, (card, model) =>
        {
            card.WriteString("owned_by", "vllm");
            card.WriteString("root", model);
            card.WriteNull("parent");
            card.WriteNumber("max_model_len", MaxModelLen);
            card.WriteStartArray("permission");
            card.WriteEndArray();
        });
}
