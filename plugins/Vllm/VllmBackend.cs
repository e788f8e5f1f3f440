using System.Buffers;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.OpenAICompat.Backends;

namespace AnyClaude.Plugins.Vllm;

/// <summary>
/// vLLM's OpenAI-compatible server (<c>vllm serve</c>). Asks for the configured model or the first it serves (any other
/// name is a 404). The context window is <c>max_model_len</c> from <c>/v1/models</c>; prompts are counted by vLLM's
/// <c>/tokenize</c>, which takes the chat messages and tools and applies the model's template. Tool calling needs the
/// server's <c>--enable-auto-tool-choice --tool-call-parser …</c>: the 400 of a server without them becomes a message
/// naming the flags. When prompt plus <c>max_tokens</c> exceeds the context (vLLM refuses rather than shortening the
/// answer), the request goes once more with the room that is left. Cached prompt tokens arrive only with
/// <c>--enable-prompt-tokens-details</c>; reasoning arrives as <c>reasoning</c> (older versions: <c>reasoning_content</c>).
/// </summary>
internal sealed class VllmBackend : OpenAICompatibleBackend
{
    private const string AutoToolChoiceFlag = "--enable-auto-tool-choice";

    public VllmBackend(BackendSettings settings, BackendServices services)
        : base(settings, services, new BackendCapabilities { PromptCache = true })
    {
    }

    protected override string StartHint =>
        $"start it with `vllm serve <model> --port {BaseUrl.Port} --enable-auto-tool-choice --tool-call-parser <parser>` (or set VLLM_URL)";

    protected override AnthropicException MapErrorStatus(int status, string body)
    {
        string detail = UpstreamErrors.ExtractMessage(body);
        if (detail.Contains(AutoToolChoiceFlag, StringComparison.Ordinal))
        {
            return new AnthropicException(
                AnthropicErrorTypes.InvalidRequest,
                $"backend '{Name}' cannot take tools: vLLM was started without tool calling; restart it with " +
                $"`{AutoToolChoiceFlag} --tool-call-parser <parser>` (the model's parser: hermes, qwen3_coder, llama3_json, mistral, …), " +
                $"or set `supportsTools: false` for this backend (vLLM said: {detail})",
                400,
                shouldRetry: false);
        }

        return base.MapErrorStatus(status, body);
    }

    protected override int? FittingMaxTokens(int status, string body) =>
        status == 400 ? UpstreamErrors.RoomForOutput(UpstreamErrors.ExtractMessage(body)) : null;

    /// <summary>vLLM's model card: <c>max_model_len</c> of the configured model, or of the first served.</summary>
    protected override async Task<ServerReport?> ReadServerReportAsync(CancellationToken cancellationToken)
    {
        using var models = await TryGetJsonAsync(Endpoint("models"), cancellationToken).ConfigureAwait(false);
        if (models?.RootElement is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var cards = data.EnumerateArray().Where(card => card.ValueKind == JsonValueKind.Object).ToList();
        var card = cards.FirstOrDefault(c => Settings.Model is { } model && c.TryGetProperty("id", out var id) && id.ValueEquals(model));
        if (card.ValueKind != JsonValueKind.Object)
        {
            card = cards.FirstOrDefault();
        }

        if (card.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new ServerReport
        {
            Model = card.TryGetProperty("id", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
            ContextLength = card.TryGetProperty("max_model_len", out var length) && length.ValueKind == JsonValueKind.Number
                && length.TryGetInt32(out int tokens) && tokens > 0 ? tokens : null,
            PromptCache = true,
        };
    }

    /// <summary>vLLM's <c>/tokenize</c> with the chat messages and tools (it applies the template); a local count when it cannot.</summary>
    public override async ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken)
    {
        string model;
        try
        {
            model = await ResolveModelAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AnthropicException)
        {
            return await CountLocallyAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var chat = JsonDocument.Parse(RenderChatBody(request, model));
        using var counted = await TryPostJsonAsync(new Uri(ServerRoot, "tokenize"), TokenizeBody(chat.RootElement), cancellationToken).ConfigureAwait(false);
        if (counted?.RootElement is { ValueKind: JsonValueKind.Object } answer
            && answer.TryGetProperty("count", out var count) && count.ValueKind == JsonValueKind.Number && count.TryGetInt32(out int tokens))
        {
            return new TokenCount(tokens, TokenCountSource.Server);
        }

        return await CountLocallyAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A <c>TokenizeChatRequest</c>: the chat body's model, messages, tools and template arguments, with the generation prompt.</summary>
    private static byte[] TokenizeBody(JsonElement chat)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var name in (ReadOnlySpan<string>)["model", "messages", "tools", "chat_template_kwargs"])
            {
                if (chat.TryGetProperty(name, out var value))
                {
                    writer.WritePropertyName(name);
                    value.WriteTo(writer);
                }
            }

            writer.WriteBoolean("add_generation_prompt", true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
