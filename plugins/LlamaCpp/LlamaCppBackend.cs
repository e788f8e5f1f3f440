using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.OpenAICompat.Backends;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.Plugins.LlamaCpp;

/// <summary>
/// llama.cpp's <c>llama-server</c>. Every request says <c>cache_prompt: true</c> (reuse the slot's common prefix) and,
/// with several slots, <c>id_slot</c> when a free one suits it (<see cref="SlotPlan"/>; the <c>idSlot</c> setting pins
/// every request of this backend to one slot instead). What the server is comes
/// from <c>/props</c> (context per slot, slots, template tool support, vision); prompts are counted as the server
/// would: the chat body through <c>/apply-template</c> (the model's template), then <c>/tokenize</c>. Cached prompt
/// tokens come from <c>prompt_tokens_details</c> or, on builds without it, from the last chunk's <c>timings.cache_n</c>.
/// Streams ask for <c>return_progress</c>: the <c>prompt_progress</c> chunks feed the host's prefill progress.
/// </summary>
internal sealed class LlamaCppBackend : OpenAICompatibleBackend
{
    public const string IdSlotSetting = "idSlot";

    private readonly int? _idSlot;
    private readonly SlotPlan _slots = new();
    private readonly ConcurrentDictionary<BackendCall, SlotLease> _leases = new();
    private int _slotsAsked;

    public LlamaCppBackend(BackendSettings settings, BackendServices services)
        : base(settings, services, new BackendCapabilities { PromptCache = true, ReportsCachedTokens = true })
    {
        _idSlot = ParseIdSlot(settings);
    }

    protected override string StartHint =>
        $"start it with `llama-server -m <model.gguf> --jinja -c 65536 --port {BaseUrl.Port}` (or set LLAMA_CPP_URL)";

    protected override ChatRenderOptions CreateRenderOptions(string model) =>
        base.CreateRenderOptions(model) with { ExtraFields = writer => WriteCacheFields(writer, _idSlot) };

    /// <summary>
    /// With several slots (<c>--parallel</c>, from <c>/props</c>; asked once if no health check has yet), the request goes
    /// to a slot this proxy has nothing running on, its conversation's own when that one is free, else preferably one
    /// holding the same head (system prompt and tools: <see cref="PromptHead"/>; <see cref="SlotPlan"/>); the <c>idSlot</c> setting wins.
    /// </summary>
    protected override async ValueTask<ChatRenderOptions> CreateRenderOptionsAsync(MessagesRequest request, string model, BackendCall call, CancellationToken cancellationToken)
    {
        int? slot = _idSlot;
        if (slot is null)
        {
            if (Capabilities.Slots is null && Interlocked.Exchange(ref _slotsAsked, 1) == 0)
            {
                await DiscoverCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
            }

            int? head = Capabilities.Slots > 1 ? PromptHead.Of(request) : null;
            if (_slots.Acquire(Capabilities.Slots, call.RequestClass, call.ConversationKey, head) is { } lease)
            {
                _leases[call] = lease;
                slot = lease.Slot;
            }
        }

        call.Slot = slot;
        bool progress = call.OnPrefillProgress is not null;
        return base.CreateRenderOptions(model) with { ExtraFields = writer => WriteCacheFields(writer, slot, progress) };
    }

    protected override void OnExchangeEnded(BackendCall call)
    {
        if (_leases.TryRemove(call, out var lease))
        {
            _slots.Release(lease);
        }
    }

    protected override AnthropicException MapErrorStatus(int status, string body)
    {
        // "tools param requires --jinja flag" (also for tool_choice): a server started with --no-jinja cannot take tools.
        string detail = UpstreamErrors.ExtractMessage(body);
        if (detail.Contains("requires --jinja", StringComparison.OrdinalIgnoreCase))
        {
            return new AnthropicException(
                AnthropicErrorTypes.InvalidRequest,
                $"backend '{Name}' cannot take tools: llama-server runs without its Jinja chat templates; restart it with `--jinja` " +
                $"(and a model whose template knows tools), or set `supportsTools: false` for this backend (llama-server said: {detail})",
                400,
                shouldRetry: false);
        }

        return base.MapErrorStatus(status, body);
    }

    protected override async Task<ServerReport?> ReadServerReportAsync(CancellationToken cancellationToken)
    {
        using var props = await TryGetJsonAsync(new Uri(ServerRoot, "props"), cancellationToken).ConfigureAwait(false);
        if (props is null || props.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var report = LlamaCppProps.Read(props.RootElement);
        if (report.Slots is null)
        {
            // Older builds have no total_slots in /props; /slots lists one entry per slot (unless --no-slots).
            using var slots = await TryGetJsonAsync(new Uri(ServerRoot, "slots"), cancellationToken).ConfigureAwait(false);
            if (slots?.RootElement is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0)
            {
                report = report with { Slots = list.GetArrayLength() };
            }
        }

        return report;
    }

    /// <summary>The prompt as the model's chat template renders it (<c>/apply-template</c>), counted by <c>/tokenize</c>; a local count when either fails.</summary>
    public override async ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken)
    {
        // llama-server serves one model whatever the name: no need to ask which before counting.
        byte[] body = RenderChatBody(request, Settings.Model ?? request.Model);
        using var applied = await TryPostJsonAsync(new Uri(ServerRoot, "apply-template"), body, cancellationToken).ConfigureAwait(false);
        if (applied?.RootElement is { ValueKind: JsonValueKind.Object } answer
            && answer.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String)
        {
            // The server tokenizes a chat prompt with its special tokens (BOS) added and parsed.
            byte[] tokenize = TokenizeBody(prompt.GetString()!);
            using var tokens = await TryPostJsonAsync(new Uri(ServerRoot, "tokenize"), tokenize, cancellationToken).ConfigureAwait(false);
            if (tokens?.RootElement is { ValueKind: JsonValueKind.Object } counted
                && counted.TryGetProperty("tokens", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                return new TokenCount(list.GetArrayLength(), TokenCountSource.Server);
            }
        }

        return await CountLocallyAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static byte[] TokenizeBody(string prompt)
    {
        var buffer = new ArrayBufferWriter<byte>(prompt.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("content", prompt);
            writer.WriteBoolean("add_special", true);
            writer.WriteBoolean("parse_special", true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <param name="progress">
    /// Ask for <c>prompt_progress</c> chunks while the server prefills (<c>return_progress</c>; it sends them on streams
    /// only): the host shows them as the request's prefill progress.
    /// </param>
    private static void WriteCacheFields(Utf8JsonWriter writer, int? idSlot, bool progress = false)
    {
        writer.WriteBoolean("cache_prompt", true);
        if (progress)
        {
            writer.WriteBoolean("return_progress", true);
        }

        if (idSlot is { } slot)
        {
            writer.WriteNumber("id_slot", slot);
        }
    }

    private static int? ParseIdSlot(BackendSettings settings)
    {
        if (settings.Extra.GetValueOrDefault(IdSlotSetting) is not { Length: > 0 } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int slot)
            ? slot
            : throw new ArgumentException($"backends.{settings.Name}.{IdSlotSetting} must be a slot number (0, 1, … below llama-server's --parallel), not '{text}'");
    }
}
