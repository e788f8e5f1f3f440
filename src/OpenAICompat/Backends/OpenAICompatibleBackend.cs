using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Rendering;
using AnyClaude.OpenAICompat.Streaming;
using AnyClaude.OpenAICompat.Tokenizing;
using Microsoft.Extensions.Logging;

namespace AnyClaude.OpenAICompat.Backends;

/// <summary>
/// A backend that speaks OpenAI Chat Completions. Subclasses describe the server (capabilities, how it
/// takes thinking, which model to ask for, how it reports errors); this class does the HTTP, the rendering
/// and the stream translation. The upstream body is sent buffered with a Content-Length, the answer is read
/// as it streams, and the caller's cancellation aborts the upstream request.
/// </summary>
public abstract class OpenAICompatibleBackend : IBackend
{

    private readonly FirstListedModel _firstListed = new();
    private readonly BackendCapabilities _defaults;
    private BackendCapabilities _capabilities;
    private int _renderSizeHint;

    /// <param name="defaults">What this kind of server can do out of the box; the backend's settings override it.</param>
    protected OpenAICompatibleBackend(BackendSettings settings, BackendServices services, BackendCapabilities? defaults = null)
    {
        Settings = settings;
        Services = services;
        Logger = services.LoggerFactory.CreateLogger(GetType());
        _defaults = defaults ?? new BackendCapabilities();
        _capabilities = Merge(new ServerReport());
        ServerRoot = RootOf(settings.Url);
    }

    public string Name => Settings.Name;

    public Uri BaseUrl => Settings.Url;

    /// <summary>The kind's defaults, overridden by what the server last reported, overridden by the backend's settings.</summary>
    public BackendCapabilities Capabilities => Volatile.Read(ref _capabilities);

    protected BackendSettings Settings { get; }

    protected BackendServices Services { get; }

    protected ILogger Logger { get; }

    /// <summary>The server's root: the base URL without its trailing <c>/v1</c>, where servers keep their own endpoints (<c>/props</c>, <c>/tokenize</c>, …).</summary>
    protected Uri ServerRoot { get; }

    /// <summary>What the user should start when the server cannot be reached.</summary>
    protected abstract string StartHint { get; }

    protected virtual ThinkingStyle ThinkingStyle => ThinkingStyle.ChatTemplateKwargs;

    protected virtual string MaxTokensField => "max_tokens";

    /// <summary>The upstream model to ask for: the configured one, else the first the server lists, else the request's.</summary>
    protected virtual async ValueTask<string> ResolveModelAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        Settings.Model
        ?? await FirstListedModelAsync(cancellationToken).ConfigureAwait(false)
        ?? request.Model;

    /// <summary>Maps an HTTP error answer; override for servers with their own conventions.</summary>
    protected virtual AnthropicException MapErrorStatus(int status, string body) => UpstreamErrors.FromStatus(Name, status, body, BaseUrl);

    public async IAsyncEnumerable<MessageStreamEvent> StreamAsync(
        MessagesRequest request,
        BackendCall call,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string model = call.Model ?? await ResolveModelAsync(request, cancellationToken).ConfigureAwait(false);
        call.Model = model;
        // The body goes into a pooled buffer (a Claude Code turn renders to about 100 KB: as a fresh array it would
        // be a large-object allocation every request) and the buffer goes back when the exchange is over.
        using var body = new PooledBufferWriter(RenderSizeHint);
        var options = await CreateRenderOptionsAsync(request, model, call, cancellationToken).ConfigureAwait(false);
        using var exchange = new ExchangeEnd(this, call);
        ChatRequestRenderer.RenderTo(body, request, options, call.Warnings);
        RenderSizeHint = body.WrittenCount;
        call.OnUpstreamBody?.Invoke(body.WrittenMemory);

        var sent = await SendAsync(body.WrittenMemory, mayLowerMaxTokens: true, cancellationToken).ConfigureAwait(false);
        using var smaller = sent.FittingMaxTokens is null ? null : new PooledBufferWriter(body.WrittenCount);
        if (smaller is not null && sent.FittingMaxTokens is { } fitting)
        {
            // The server refused prompt + max_tokens as more than its context holds, and said how much room is left: once more with that.
            Logger.LogInformation("backend {Backend}: max_tokens lowered to {MaxTokens}, the room its context has left for the answer", Name, fitting);
            ChatRequestRenderer.RenderTo(smaller, request, options with { MaxOutputTokens = fitting }, new List<string>());
            call.OnUpstreamBody?.Invoke(smaller.WrittenMemory);
            sent = await SendAsync(smaller.WrittenMemory, mayLowerMaxTokens: false, cancellationToken).ConfigureAwait(false);
        }

        using var response = sent.Response!;
        // The server's counts come only with its last chunk (and go out in message_delta); until then the prompt's size
        // is what the host counted before the call, else the estimate: a client that shows usage at the start sees it.
        int promptTokens = call.PromptTokens ?? EstimateTokens(body.WrittenCount);
        var start = new MessageResponse
        {
            Id = $"msg_{Guid.NewGuid():N}",
            Model = request.Model,
            Usage = new Usage { InputTokens = promptTokens },
        };
        yield return new MessageStartEvent(start);

        var translator = new ChatStreamTranslator(promptTokens);
        var events = new List<MessageStreamEvent>();
        var upstream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var stream = call.OnPrefillProgress is { } onProgress ? new PrefillProgressStream(upstream, onProgress) : upstream;
        // Each data: payload is deserialized straight from the UTF-8 bytes the parser holds: no string per chunk.
        var items = SseParser.Create(stream, UpstreamItem.Parse).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            bool done = false;
            while (!done && await MoveNextAsync(items, cancellationToken).ConfigureAwait(false))
            {
                var item = items.Current.Data;
                if (item.Done)
                {
                    done = true;
                    break;
                }

                if (item.Chunk is not { } chunk)
                {
                    throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' sent a stream chunk that is not valid JSON: {item.Error}");
                }

                if (chunk.PromptProgress is { Total: int total, Processed: int processed } && total > 0 && call.OnPrefillProgress is { } onPrefill)
                {
                    // llama.cpp's progress chunks (asked with return_progress): a role delta with no content, so they add no events.
                    onPrefill(Math.Clamp(processed, 0, total), total);
                }

                translator.OnChunk(chunk, events);
                foreach (var streamEvent in events)
                {
                    yield return streamEvent;
                }

                events.Clear();
            }

            if (!done && !translator.SawFinishReason)
            {
                throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' ended its stream before the answer was complete");
            }
        }

        translator.Complete(events);
        if (translator.Timings?.PredictedPerSecond is { } speed)
        {
            Logger.LogDebug("backend {Backend}: {TokensPerSecond:F1} tokens/s, {Cached} prompt tokens from the cache", Name, speed, translator.Timings.CacheN);
        }

        foreach (var warning in translator.Warnings)
        {
            call.Warnings.Add(warning);
        }

        foreach (var streamEvent in events)
        {
            yield return streamEvent;
        }
    }

    /// <summary>
    /// The request's exchange with the server is over (answered, failed, or cancelled when the client left), once for every
    /// <see cref="CreateRenderOptionsAsync"/>: where a backend gives back what it held for the request (llama.cpp's slot).
    /// </summary>
    protected virtual void OnExchangeEnded(BackendCall call)
    {
    }

    /// <summary>Calls <see cref="OnExchangeEnded"/> when the stream is over, however it ends (after the response is disposed).</summary>
    private readonly struct ExchangeEnd(OpenAICompatibleBackend backend, BackendCall call) : IDisposable
    {
        public void Dispose() => backend.OnExchangeEnded(call);
    }

    /// <summary>The size of the last rendered body: where the next one's buffer starts, so it rarely grows.</summary>
    private int RenderSizeHint
    {
        get => Math.Clamp(Volatile.Read(ref _renderSizeHint) + 1024, 16 * 1024, 4 * 1024 * 1024);
        set => Volatile.Write(ref _renderSizeHint, value);
    }

    public async ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        (await CountTokensAsync(request, cancellationToken).ConfigureAwait(false)).Tokens;

    /// <summary>A local count (<see cref="CountLocallyAsync"/>); override where the server can count (<c>/tokenize</c>).</summary>
    public virtual ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        CountLocallyAsync(request, cancellationToken);

    /// <summary>
    /// The folder holding the model's tokenizer files: the <c>tokenizer</c> setting; a backend that knows where its model
    /// lives on this machine (mlx-lm) falls back to that folder. Null: no local tokenizer, counts are estimates.
    /// </summary>
    protected virtual string? TokenizerFolder => Settings.Tokenizer;

    /// <summary>
    /// What a server that cannot count falls back to: the model's own tokenizer over the prompt as its chat template roughly
    /// renders it (<see cref="ChatPromptText"/>), when its files are on this machine; else the estimate.
    /// </summary>
    protected async ValueTask<TokenCount> CountLocallyAsync(MessagesRequest request, CancellationToken cancellationToken)
    {
        byte[] body = RenderChatBody(request, Settings.Model ?? request.Model);
        if (TokenizerFolder is { } folder && await LocalTokenCount.TryCountAsync(folder, body, Name, Logger, cancellationToken).ConfigureAwait(false) is { } counted)
        {
            return counted;
        }

        return new TokenCount(EstimateTokens(body.Length), TokenCountSource.Estimate);
    }

    /// <summary>The estimate alone (rendered bytes / 4), without the model's tokenizer: <see cref="CountLocallyAsync"/> is the better fallback.</summary>
    protected TokenCount EstimateCount(MessagesRequest request) =>
        new(EstimateTokens(RenderChatBody(request, Settings.Model ?? request.Model).Length), TokenCountSource.Estimate);

    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await GetAsync("models", cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return BackendHealth.Unhealthy($"{BaseUrl}models answered HTTP {(int)response.StatusCode}");
            }

            // A healthy server is asked what it is too, so a model loaded since (another context window) is noticed.
            await DiscoverCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
            return BackendHealth.Healthy($"{BaseUrl} answers");
        }
        catch (HttpRequestException exception)
        {
            return BackendHealth.Unhealthy(UpstreamErrors.Unreachable(Name, BaseUrl, StartHint, exception).Message);
        }
    }

    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken)
    {
        var models = await FetchModelListAsync(cancellationToken).ConfigureAwait(false);
        return models.Select(m => new ModelInfo(m.Id, m.Id, m.Created is { } created ? DateTimeOffset.FromUnixTimeSeconds(created) : null)).ToList();
    }

    public async Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken)
    {
        if (TokenizerFolder is { } folder)
        {
            // Read the tokenizer while nothing waits for it: the first count then finds it loaded.
            LocalTokenCount.Preload(folder, Name, Logger);
        }

        if (await ReadServerReportAsync(cancellationToken).ConfigureAwait(false) is { } report)
        {
            Volatile.Write(ref _capabilities, Merge(report));
        }

        return Capabilities;
    }

    /// <summary>
    /// What the server says about itself (override for servers that report their context window, tools or slots);
    /// null when it says nothing. Failures to ask are the override's to swallow: discovery never fails a request.
    /// </summary>
    protected virtual Task<ServerReport?> ReadServerReportAsync(CancellationToken cancellationToken) => Task.FromResult<ServerReport?>(null);

    private BackendCapabilities Merge(ServerReport report) => _defaults with
    {
        Model = Settings.Model ?? report.Model ?? _defaults.Model,
        Tools = Settings.SupportsTools ?? report.Tools ?? _defaults.Tools,
        Images = Settings.SupportsImages ?? report.Images ?? _defaults.Images,
        Reasoning = report.Reasoning ?? _defaults.Reasoning,
        PromptCache = report.PromptCache ?? _defaults.PromptCache,
        ContextLength = Settings.ContextLength ?? report.ContextLength ?? _defaults.ContextLength,
        ContextLengthSource = Settings.ContextLength is not null ? ContextLengthSource.Configured
            : report.ContextLength is not null ? ContextLengthSource.Reported
            : _defaults.ContextLength is not null ? ContextLengthSource.Default
            : ContextLengthSource.Unknown,
        MaxOutputTokens = Settings.MaxOutputTokens ?? _defaults.MaxOutputTokens,
        Slots = report.Slots ?? _defaults.Slots,
        ReportsCachedTokens = report.ReportsCachedTokens ?? _defaults.ReportsCachedTokens,
    };

    /// <summary>The first model the server lists, remembered once known.</summary>
    private ValueTask<string?> FirstListedModelAsync(CancellationToken cancellationToken) =>
        _firstListed.GetAsync(FetchModelListAsync, cancellationToken);

    /// <summary>The server's <c>GET /models</c> list.</summary>
    protected async Task<IReadOnlyList<ChatModel>> FetchModelListAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await GetAsync("models", cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw MapErrorStatus((int)response.StatusCode, RedactApiKey(body));
            }

            return JsonSerializer.Deserialize(body, ChatJsonContext.Default.ChatModelList)?.Data ?? [];
        }
        catch (HttpRequestException exception)
        {
            throw UpstreamErrors.Unreachable(Name, BaseUrl, StartHint, exception);
        }
        catch (JsonException exception)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' answered GET /models with something that is not a model list: {exception.Message}");
        }
    }

    /// <summary>
    /// The render options for one request, which may depend on it (its class, its conversation, its prompt's head:
    /// llama.cpp pins each to a cache slot); by default <see cref="CreateRenderOptions(string)"/>.
    /// </summary>
    protected virtual ValueTask<ChatRenderOptions> CreateRenderOptionsAsync(MessagesRequest request, string model, BackendCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(CreateRenderOptions(model));

    protected virtual ChatRenderOptions CreateRenderOptions(string model) => new()
    {
        Model = model,
        MaxOutputTokens = Capabilities.MaxOutputTokens,
        MaxTokensField = MaxTokensField,
        SupportsImages = Capabilities.Images,
        ThinkingStyle = ThinkingStyle,
    };

    /// <summary>The Chat Completions body this backend would send for the request, unstreamed (what a server's tokenizer endpoint takes).</summary>
    protected byte[] RenderChatBody(MessagesRequest request, string model) =>
        ChatRequestRenderer.Render(request, CreateRenderOptions(model) with { Stream = false }, new List<string>());

    /// <summary>
    /// A side question to the server (<c>GET</c>): its JSON answer, or null when it does not answer with a 2xx JSON body or
    /// cannot be reached. Only the caller's cancellation throws: discovery and token counting never fail a request.
    /// </summary>
    protected Task<JsonDocument?> TryGetJsonAsync(Uri url, CancellationToken cancellationToken) =>
        TryAskAsync(new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);

    /// <summary>A side question with a JSON body (<c>POST</c>), as <see cref="TryGetJsonAsync"/>.</summary>
    protected Task<JsonDocument?> TryPostJsonAsync(Uri url, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ReadOnlyMemoryContent(json) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return TryAskAsync(message, cancellationToken);
    }

    private async Task<JsonDocument?> TryAskAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        using (message)
        {
            AddAuthorization(message);
            try
            {
                using var response = await Services.HttpClient.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    Logger.LogDebug("backend {Backend}: {Method} {Url} answered HTTP {Status}", Name, message.Method, message.RequestUri, (int)response.StatusCode);
                    return null;
                }

                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or JsonException or IOException
                || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Logger.LogDebug("backend {Backend}: {Method} {Url} failed: {Error}", Name, message.Method, message.RequestUri, exception.Message);
                return null;
            }
        }
    }

    private static Uri RootOf(Uri baseUrl)
    {
        string path = baseUrl.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            path = path[..^3];
        }

        return new UriBuilder(baseUrl) { Path = path + "/" }.Uri;
    }

    /// <summary>About four bytes of rendered JSON per token: close enough for code and English with BPE tokenizers.</summary>
    protected static int EstimateTokens(int renderedBytes) => (renderedBytes + 3) / 4;

    protected Uri Endpoint(string relativePath) =>
        new(Settings.Url.AbsoluteUri.TrimEnd('/') + "/" + relativePath);

    /// <summary>
    /// When the server refused a request because its prompt plus <c>max_tokens</c> exceeds the context (vLLM's "'max_tokens' or
    /// 'max_completion_tokens' is too large"), the largest <c>max_tokens</c> that fits, and the request is sent once more
    /// with it; null (the default) maps the refusal as any other error.
    /// </summary>
    protected virtual int? FittingMaxTokens(int status, string body) => null;

    /// <summary>The server's answer, or (only when allowed) the smaller <c>max_tokens</c> to send the request again with.</summary>
    private readonly record struct SendResult(HttpResponseMessage? Response, int? FittingMaxTokens);

    private async Task<SendResult> SendAsync(ReadOnlyMemory<byte> body, bool mayLowerMaxTokens, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint("chat/completions"))
        {
            Content = new ReadOnlyMemoryContent(body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        AddAuthorization(message);

        HttpResponseMessage response;
        try
        {
            response = await Services.HttpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw UpstreamErrors.Unreachable(Name, BaseUrl, StartHint, exception);
        }

        if (response.IsSuccessStatusCode)
        {
            return new SendResult(response, null);
        }

        using (response)
        {
            string errorBody = RedactApiKey(await UpstreamErrors.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false));
            if (mayLowerMaxTokens && FittingMaxTokens((int)response.StatusCode, errorBody) is > 0 and var fitting)
            {
                return new SendResult(null, fitting);
            }

            throw MapErrorStatus((int)response.StatusCode, errorBody);
        }
    }

    private async Task<HttpResponseMessage> GetAsync(string relativePath, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, Endpoint(relativePath));
        AddAuthorization(message);
        return await Services.HttpClient.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Some servers echo the key they refused; it must not reach Claude Code's screen or the logs.</summary>
    private string RedactApiKey(string text) =>
        Settings.ApiKey is { Length: > 0 } apiKey ? text.Replace(apiKey, "[redacted]", StringComparison.Ordinal) : text;

    private void AddAuthorization(HttpRequestMessage message)
    {
        if (Settings.ApiKey is { Length: > 0 } apiKey)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    private async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<SseItem<UpstreamItem>> items, CancellationToken cancellationToken)
    {
        try
        {
            return await items.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw UpstreamErrors.BrokeMidStream(Name, BaseUrl, exception);
        }
    }

    /// <summary>One upstream <c>data:</c> payload: a chunk, the <c>[DONE]</c> marker, or why it could not be read.</summary>
    private readonly record struct UpstreamItem(ChatChunk? Chunk, bool Done, string? Error)
    {
        public static UpstreamItem Parse(string eventType, ReadOnlySpan<byte> data)
        {
            if (data.SequenceEqual("[DONE]"u8))
            {
                return new UpstreamItem(null, true, null);
            }

            try
            {
                return new UpstreamItem(ChatChunkReader.Read(data), false, null);
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException)
            {
                return new UpstreamItem(null, false, exception.Message);
            }
        }
    }
}
