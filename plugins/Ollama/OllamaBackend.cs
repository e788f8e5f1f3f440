using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Backends;
using AnyClaude.OpenAICompat.Streaming;
using AnyClaude.OpenAICompat.Tokenizing;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Plugins.Ollama;

/// <summary>
/// Ollama through its native <c>/api/chat</c>: its OpenAI endpoint builds the model options itself and ignores
/// <c>num_ctx</c>, so a model loaded with Ollama's default window (4k on a small GPU) would cut Claude Code's prompt
/// silently. Natively the request names the window (<c>options.num_ctx</c>: the configured context length, else the
/// model's trained one up to <see cref="DefaultNumCtx"/>), keeps the model loaded between turns (<c>keep_alive</c>),
/// switches thinking per request (<c>think</c>) and refuses to truncate. The model's window and capabilities come
/// from <c>/api/show</c>; the NDJSON answer goes through the OpenAI-compatible stream translator. Ollama reports no
/// cached prompt tokens.
/// </summary>
internal sealed class OllamaBackend : IBackend
{
    public const string KeepAliveSetting = "keepAlive";

    /// <summary>The window asked for when none is configured: Claude Code's prompt alone is 15–30k tokens.</summary>
    public const int DefaultNumCtx = 32768;

    private const string DefaultKeepAlive = "30m";

    private readonly BackendSettings _settings;
    private readonly UpstreamHttp _upstream;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _discovery = new(1, 1);
    private BackendCapabilities _capabilities;
    private OllamaModel? _model;

    public OllamaBackend(BackendSettings settings, BackendServices services)
    {
        _settings = settings;
        _upstream = new UpstreamHttp(settings, services.HttpClient, StartHint);
        _logger = services.LoggerFactory.CreateLogger<OllamaBackend>();
        _capabilities = Merge(null);
    }

    public string Name => _settings.Name;

    public Uri BaseUrl => _settings.Url;

    public BackendCapabilities Capabilities => Volatile.Read(ref _capabilities);

    private const string StartHint = "start it with `ollama serve` (and `ollama pull <model>`), or set OLLAMA_URL";

    private string? KeepAlive =>
        _settings.Extra.TryGetValue(KeepAliveSetting, out string? value) ? value : DefaultKeepAlive;

    public async IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var model = await EnsureModelAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] body = OllamaChatRenderer.Render(request, ChatOptions(model), stream: true, call.Warnings);
        call.OnUpstreamBody?.Invoke(body);

        using var response = await _upstream.PostStreamingAsync("api/chat", body, cancellationToken).ConfigureAwait(false);
        await _upstream.ThrowIfFailedAsync(response, (status, error) => MapError(status, error, model.Name), cancellationToken).ConfigureAwait(false);

        yield return new MessageStartEvent(new MessageResponse { Id = $"msg_{Guid.NewGuid():N}", Model = request.Model, Usage = new Usage() });

        var translator = new ChatStreamTranslator((body.Length + 3) / 4);
        var events = new List<MessageStreamEvent>();
        int toolIndex = 0;
        bool done = false;
        await foreach (string line in _upstream.ReadLinesAsync(response, cancellationToken).ConfigureAwait(false))
        {
            ChatChunk chunk;
            try
            {
                chunk = OllamaChunk.ToChatChunk(Encoding.UTF8.GetBytes(line), ref toolIndex);
            }
            catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' sent a stream line that is not valid: {exception.Message}");
            }

            done = chunk.Choices is [{ FinishReason: not null }];
            translator.OnChunk(chunk, events);
            foreach (var streamEvent in events)
            {
                yield return streamEvent;
            }

            events.Clear();
            if (done)
            {
                break;
            }
        }

        if (!done)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' ended its stream before the answer was complete");
        }

        translator.Complete(events);
        foreach (string warning in translator.Warnings)
        {
            call.Warnings.Add(warning);
        }

        foreach (var streamEvent in events)
        {
            yield return streamEvent;
        }
    }

    public async ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        (await CountTokensAsync(request, cancellationToken).ConfigureAwait(false)).Tokens;

    /// <summary>
    /// Ollama cannot count over HTTP (no tokenize route; see docs/backends.md): the model's tokenizer files when the
    /// <c>tokenizer</c> setting names them, else an estimate from the rendered body's size.
    /// </summary>
    public async ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken)
    {
        var model = await EnsureModelAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] body = OllamaChatRenderer.Render(request, ChatOptions(model), stream: false, new List<string>());
        if (_settings.Tokenizer is { } folder && await LocalTokenCount.TryCountAsync(folder, body, Name, _logger, cancellationToken).ConfigureAwait(false) is { } counted)
        {
            return counted;
        }

        return new TokenCount((body.Length + 3) / 4, TokenCountSource.Estimate);
    }

    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ListTagsAsync(cancellationToken).ConfigureAwait(false);
            await DiscoverCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
            return BackendHealth.Healthy($"{BaseUrl} answers");
        }
        catch (AnthropicException exception)
        {
            return BackendHealth.Unhealthy(exception.Message);
        }
    }

    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) =>
        [.. (await ListTagsAsync(cancellationToken).ConfigureAwait(false)).Select(name => new ModelInfo(name, name))];

    public async Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken)
    {
        try
        {
            string? name = _settings.Model ?? (await ListTagsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            if (name is not null)
            {
                Remember(await ShowAsync(name, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (AnthropicException)
        {
            // Discovery never fails a request: what is known stands.
        }

        return Capabilities;
    }

    /// <summary>The model to ask for and what it can do, asked once (the window must be known before the first request).</summary>
    private async ValueTask<OllamaModel> EnsureModelAsync(MessagesRequest request, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _model) is { } known)
        {
            return known;
        }

        await _discovery.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_model is { } raced)
            {
                return raced;
            }

            string name = _settings.Model
                ?? (await ListTagsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault()
                ?? throw new AnthropicException(
                    AnthropicErrorTypes.Api,
                    $"backend '{Name}' at {BaseUrl} has no models: pull one with `ollama pull <model>` (or set OLLAMA_MODEL)",
                    502,
                    shouldRetry: false);
            var model = await ShowAsync(name, cancellationToken).ConfigureAwait(false);
            Remember(model);
            return model;
        }
        finally
        {
            _discovery.Release();
        }
    }

    private void Remember(OllamaModel model)
    {
        Volatile.Write(ref _model, model);
        Volatile.Write(ref _capabilities, Merge(model));
    }

    /// <summary>Settings beat what <c>/api/show</c> says, which beats the kind's defaults.</summary>
    private BackendCapabilities Merge(OllamaModel? model) => new()
    {
        Tools = _settings.SupportsTools ?? model?.Tools ?? true,
        Images = _settings.SupportsImages ?? model?.Vision ?? false,
        Reasoning = model?.Thinking ?? true,
        PromptCache = true,
        ContextLength = NumCtx(model),
        ContextLengthSource = NumCtxSource(model),
        MaxOutputTokens = _settings.MaxOutputTokens ?? new BackendCapabilities().MaxOutputTokens,
        ReportsCachedTokens = false,
    };

    private int NumCtx(OllamaModel? model) =>
        _settings.ContextLength ?? Math.Min(model?.TrainedContext ?? DefaultNumCtx, DefaultNumCtx);

    /// <summary>The window is the <c>num_ctx</c> the proxy sends: configured, the model's own when smaller than the default, else the default.</summary>
    private ContextLengthSource NumCtxSource(OllamaModel? model) =>
        _settings.ContextLength is not null ? ContextLengthSource.Configured
        : model?.TrainedContext is { } trained && trained <= DefaultNumCtx ? ContextLengthSource.Reported
        : ContextLengthSource.Default;

    private OllamaChatOptions ChatOptions(OllamaModel model) => new()
    {
        Model = model.Name,
        NumCtx = NumCtx(model),
        MaxOutputTokens = Capabilities.MaxOutputTokens,
        ModelThinks = model.Thinking,
        SupportsImages = Capabilities.Images,
        KeepAlive = KeepAlive,
    };

    private async Task<OllamaModel> ShowAsync(string name, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["model"] = name });
        using var response = await _upstream.PostAsync("api/show", body, cancellationToken).ConfigureAwait(false);
        string text = await _upstream.ReadAnswerAsync(response, (status, error) => MapError(status, error, name), cancellationToken).ConfigureAwait(false);

        try
        {
            return OllamaModel.Read(name, text);
        }
        catch (JsonException exception)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' answered /api/show with something unreadable: {exception.Message}");
        }
    }

    private async Task<IReadOnlyList<string>> ListTagsAsync(CancellationToken cancellationToken)
    {
        using var response = await _upstream.GetAsync("api/tags", cancellationToken).ConfigureAwait(false);
        string text = await _upstream.ReadAnswerAsync(response, (status, error) => MapError(status, error, model: null), cancellationToken).ConfigureAwait(false);

        try
        {
            return OllamaModel.ReadTags(text);
        }
        catch (JsonException exception)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' answered /api/tags with something that is not a model list (is {BaseUrl} Ollama's root URL?): {exception.Message}");
        }
    }

    /// <summary>Ollama's <c>{"error":"…"}</c> answers: a missing model says what to pull; the rest maps like any server's.</summary>
    private AnthropicException MapError(int status, string body, string? model)
    {
        string detail = UpstreamErrors.ExtractMessage(body);
        if (status == 404 && detail.Contains("not found", StringComparison.OrdinalIgnoreCase) && model is not null)
        {
            return new AnthropicException(
                AnthropicErrorTypes.Api,
                $"backend '{Name}' has no model '{model}' ({detail}): pull it with `ollama pull {model}` or set OLLAMA_MODEL to one `ollama list` shows",
                502,
                shouldRetry: false);
        }

        return UpstreamErrors.FromStatus(Name, status, body);
    }
}
