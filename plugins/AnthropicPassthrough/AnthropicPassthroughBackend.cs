using System.Runtime.CompilerServices;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Backends;

namespace AnyClaude.Plugins.AnthropicPassthrough;

/// <summary>
/// A server that speaks the Messages API itself (LM Studio 0.4.1+, Ollama 0.14+, llama.cpp, vLLM, exo): the request
/// goes on untranslated but cleaned (<see cref="PassthroughBody"/>), the answer is read from its SSE into the SDK's
/// events, <c>count_tokens</c> is answered even where the server has none, and its errors reach Claude Code in a
/// form it acts on. The URL is the server's root; requests go to <c>/v1/messages</c> under it.
/// </summary>
internal sealed class AnthropicPassthroughBackend : IBackend
{
    private const string StartHint = "start a server that speaks the Anthropic Messages API there (llama-server, `ollama serve`, `lms server start`, `vllm serve`, exo) or set ANTHROPIC_PASSTHROUGH_URL";

    private readonly BackendSettings _settings;
    private readonly UpstreamHttp _upstream;
    private readonly BackendCapabilities _defaults;
    private BackendCapabilities _capabilities;
    private string? _reportedModel;
    private volatile bool _countTokensMissing;

    public AnthropicPassthroughBackend(BackendSettings settings, BackendServices services)
    {
        _settings = settings;
        // Servers read the key from one header or the other: llama.cpp and vLLM a bearer token, LM Studio and Ollama either.
        _upstream = new UpstreamHttp(settings, services.HttpClient, StartHint)
        {
            Headers = new Dictionary<string, string> { ["anthropic-version"] = "2023-06-01" },
            SendsApiKeyAsXApiKey = true,
            StreamingAccept = "text/event-stream",
        };
        // A Messages server renders the prompt from the body, and every one of them keeps a prefix cache.
        _defaults = new BackendCapabilities { PromptCache = true, Images = true };
        _capabilities = Merge(null);
    }

    public string Name => _settings.Name;

    public Uri BaseUrl => _settings.Url;

    public BackendCapabilities Capabilities => Volatile.Read(ref _capabilities);

    public async IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string model = await ResolveModelAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] body = PassthroughBody.Render(request, model, forCounting: false);
        call.OnUpstreamBody?.Invoke(body);

        using var response = await _upstream.PostStreamingAsync("v1/messages", body, cancellationToken).ConfigureAwait(false);
        await _upstream.ThrowIfFailedAsync(response, MapError, cancellationToken).ConfigureAwait(false);

        bool started = false;
        Usage? usageAtStart = null;
        await foreach (var sse in _upstream.ReadEventsAsync(response, UpstreamEvent.Parse, cancellationToken).ConfigureAwait(false))
        {
            var item = sse.Data;
            if (item.Error is { } invalid)
            {
                throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' sent a stream event that is not valid JSON: {invalid}");
            }

            switch (item.Event)
            {
                case null:
                    continue;
                case ErrorEvent error:
                    throw PassthroughErrors.FromStreamError(Name, error.Error);
                case MessageStartEvent start:
                    // Claude Code sees the model it asked for, whatever the server calls it.
                    start.Message.Model = request.Model;
                    usageAtStart = start.Message.Usage.Clone();
                    started = true;
                    break;
                case MessageDeltaEvent delta when started:
                    DeltaUsage.FillFrom(delta.Usage, usageAtStart, item.SentUsage);
                    break;
                case MessageStopEvent:
                    yield return item.Event;
                    yield break;
                default:
                    if (!started)
                    {
                        throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' sent '{item.Event.Type}' before message_start");
                    }

                    break;
            }

            yield return item.Event;
        }

        throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' ended its stream before message_stop");
    }

    /// <summary>
    /// The server's own count (<c>POST /v1/messages/count_tokens</c>), so the number matches its tokenizer; servers without
    /// one (LM Studio, Ollama answer 404) get an estimate from the body's size, and are not asked again.
    /// </summary>
    public async ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        (await CountTokensAsync(request, cancellationToken).ConfigureAwait(false)).Tokens;

    public async ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken)
    {
        string model = await ResolveModelAsync(request, cancellationToken).ConfigureAwait(false);
        byte[] body = PassthroughBody.Render(request, model, forCounting: true);
        if (_countTokensMissing)
        {
            return new TokenCount(Estimate(body), TokenCountSource.Estimate);
        }

        using var response = await _upstream.PostStreamingAsync("v1/messages/count_tokens", body, cancellationToken).ConfigureAwait(false);
        string text = await _upstream.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode is 404 or 405 or 501)
        {
            _countTokensMissing = true;
            return new TokenCount(Estimate(body), TokenCountSource.Estimate);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw MapError((int)response.StatusCode, text);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return new TokenCount(document.RootElement.GetProperty("input_tokens").GetInt32(), TokenCountSource.Server);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' answered count_tokens without an input_tokens number: {UpstreamErrors.ExtractMessage(text)}");
        }
    }

    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _upstream.GetAsync("v1/models", cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return BackendHealth.Unhealthy($"{_upstream.Endpoint("v1/models")} answered HTTP {(int)response.StatusCode}");
            }

            await DiscoverCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
            return BackendHealth.Healthy($"{BaseUrl} answers");
        }
        catch (AnthropicException exception)
        {
            return BackendHealth.Unhealthy(exception.Message);
        }
    }

    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) =>
        [.. (await FetchModelsAsync(cancellationToken).ConfigureAwait(false)).Select(m => new ModelInfo(m.Id, m.Id))];

    /// <summary>
    /// The server's <c>/v1/models</c>: the model it serves, and its context window where it says (vLLM's
    /// <c>max_model_len</c>, LM Studio's and exo's <c>context_length</c>, llama.cpp's <c>meta.n_ctx</c>, the window one slot has).
    /// </summary>
    public async Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var models = await FetchModelsAsync(cancellationToken).ConfigureAwait(false);
            var chosen = models.FirstOrDefault(m => m.Id == _settings.Model) ?? models.FirstOrDefault();
            if (chosen is not null)
            {
                _reportedModel = chosen.Id;
                Volatile.Write(ref _capabilities, Merge(chosen.ContextLength));
            }
        }
        catch (AnthropicException)
        {
            // Discovery never fails a request: the settings and defaults stand.
        }

        return Capabilities;
    }

    private BackendCapabilities Merge(int? reportedContext) => _defaults with
    {
        Tools = _settings.SupportsTools ?? _defaults.Tools,
        Images = _settings.SupportsImages ?? _defaults.Images,
        ContextLength = _settings.ContextLength ?? reportedContext,
        ContextLengthSource = _settings.ContextLength is not null ? ContextLengthSource.Configured
            : reportedContext is not null ? ContextLengthSource.Reported
            : ContextLengthSource.Unknown,
        MaxOutputTokens = _settings.MaxOutputTokens ?? _defaults.MaxOutputTokens,
    };

    /// <summary>The configured model, else the one the server lists first (Ollama and vLLM need a real name; llama.cpp serves its one model whatever the name).</summary>
    private async ValueTask<string> ResolveModelAsync(MessagesRequest request, CancellationToken cancellationToken)
    {
        if ((_settings.Model ?? _reportedModel) is { } known)
        {
            return known;
        }

        try
        {
            var models = await FetchModelsAsync(cancellationToken).ConfigureAwait(false);
            _reportedModel = models.FirstOrDefault()?.Id;
        }
        catch (AnthropicException exception) when (exception.StatusCode != 502)
        {
            // A server without a model list still takes the request's own model name.
        }

        return _reportedModel ?? request.Model;
    }

    private async Task<IReadOnlyList<ListedModel>> FetchModelsAsync(CancellationToken cancellationToken)
    {
        using var response = await _upstream.GetAsync("v1/models", cancellationToken).ConfigureAwait(false);
        string body = await _upstream.ReadAnswerAsync(response, MapError, cancellationToken).ConfigureAwait(false);

        try
        {
            return ListedModel.ReadList(body);
        }
        catch (JsonException exception)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' answered GET /v1/models with something that is not a model list: {exception.Message}");
        }
    }

    private static int Estimate(byte[] body) => (body.Length + 3) / 4;

    private AnthropicException MapError(int status, string body) => PassthroughErrors.FromStatus(Name, BaseUrl, status, body);
}
