using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using AnyClaude.Abstractions.Errors;

namespace AnyClaude.Abstractions.Backends;

/// <summary>
/// The HTTP a backend that speaks its server's own API does with that server: JSON bodies sent whole with a
/// Content-Length, the API key (and any fixed headers) on every request, streamed answers read as they arrive
/// (<see cref="HttpCompletionOption.ResponseHeadersRead"/>) as SSE events or NDJSON lines, error bodies read up to a
/// bound with the key taken out and mapped by the backend, and the Anthropic-shaped errors Claude Code acts on when the
/// server cannot be reached (naming the backend, its URL and what to start) or breaks off mid-answer. The caller's
/// cancellation aborts the request and surfaces as an <see cref="OperationCanceledException"/>, never as one of those.
/// </summary>
public sealed class UpstreamHttp
{
    private readonly BackendSettings _settings;
    private readonly HttpClient _httpClient;
    private readonly string _startHint;

    /// <param name="settings">The backend's settings: its name, its root URL (paths are taken relative to it) and its API key.</param>
    /// <param name="httpClient">The host's client for the backend (<see cref="BackendServices.HttpClient"/>).</param>
    /// <param name="startHint">What the user should start or set when the server cannot be reached.</param>
    public UpstreamHttp(BackendSettings settings, HttpClient httpClient, string startHint)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrEmpty(startHint);
        _settings = settings;
        _httpClient = httpClient;
        _startHint = startHint;
    }

    /// <summary>Headers every request carries (an Anthropic server's <c>anthropic-version</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Send the API key as <c>x-api-key</c> too, not only as a bearer token (servers of the Anthropic API read either).</summary>
    public bool SendsApiKeyAsXApiKey { get; init; }

    /// <summary>The <c>Accept</c> header of <see cref="PostStreamingAsync"/> requests (<c>text/event-stream</c> for SSE servers); none when null.</summary>
    public string? StreamingAccept { get; init; }

    /// <summary>The server's URL for a path relative to the backend's URL.</summary>
    public Uri Endpoint(string relativePath) => new(_settings.Url.AbsoluteUri.TrimEnd('/') + "/" + relativePath);

    /// <summary>A <c>GET</c> whose answer is read whole.</summary>
    public Task<HttpResponseMessage> GetAsync(string relativePath, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, Endpoint(relativePath)), HttpCompletionOption.ResponseContentRead, cancellationToken);

    /// <summary>A <c>POST</c> of a JSON body whose answer is read whole.</summary>
    public Task<HttpResponseMessage> PostAsync(string relativePath, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        SendAsync(JsonPost(relativePath, json, accept: null), HttpCompletionOption.ResponseContentRead, cancellationToken);

    /// <summary>A <c>POST</c> of a JSON body whose answer is returned as soon as its headers arrive, to be read as it streams.</summary>
    public Task<HttpResponseMessage> PostStreamingAsync(string relativePath, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        SendAsync(JsonPost(relativePath, json, StreamingAccept), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    /// <summary>
    /// Sends a request with the key and the fixed headers added (and disposes it). A server that cannot be reached, or
    /// does not answer in the client's time, is an <see cref="AnthropicException"/> naming the backend, its URL and the start hint.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using (message)
        {
            foreach (var (name, value) in Headers)
            {
                message.Headers.Add(name, value);
            }

            if (_settings.ApiKey is { Length: > 0 } apiKey)
            {
                if (SendsApiKeyAsXApiKey)
                {
                    message.Headers.Add("x-api-key", apiKey);
                }

                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }

            try
            {
                return await _httpClient.SendAsync(message, completion, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw UpstreamFailures.Unreachable(_settings.Name, _settings.Url, _startHint, exception);
            }
        }
    }

    /// <summary>
    /// The answer's body as text when it succeeded; otherwise the exception <paramref name="mapError"/> makes of its status
    /// and body (<see cref="ReadBodyAsync"/>) is thrown.
    /// </summary>
    public async Task<string> ReadAnswerAsync(HttpResponseMessage response, Func<int, string, AnthropicException> mapError, CancellationToken cancellationToken)
    {
        await ThrowIfFailedAsync(response, mapError, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Nothing when the answer succeeded; otherwise the exception <paramref name="mapError"/> makes of its status and body (<see cref="ReadBodyAsync"/>).</summary>
    public async Task ThrowIfFailedAsync(HttpResponseMessage response, Func<int, string, AnthropicException> mapError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(mapError);
        if (!response.IsSuccessStatusCode)
        {
            throw mapError((int)response.StatusCode, await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// The start of the answer's body (64K characters at most, what an error message may quote) with the API key taken out
    /// (some servers echo the key they refused), or a note saying why it could not be read.
    /// </summary>
    public async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        Redact(await UpstreamFailures.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false));

    /// <summary>The text with the backend's API key replaced by <c>[redacted]</c>: nothing a server echoes reaches the screen or the logs.</summary>
    public string Redact(string text) =>
        _settings.ApiKey is { Length: > 0 } apiKey ? text.Replace(apiKey, "[redacted]", StringComparison.Ordinal) : text;

    /// <summary>
    /// The answer's server-sent events as they arrive, each <c>data:</c> payload read by <paramref name="parser"/> straight
    /// from its UTF-8 bytes. A connection that breaks is an <see cref="AnthropicException"/> saying so, naming the backend and its URL.
    /// </summary>
    public async IAsyncEnumerable<SseItem<T>> ReadEventsAsync<T>(HttpResponseMessage response, SseItemParser<T> parser, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var items = SseParser.Create(stream, parser).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (items.ConfigureAwait(false))
        {
            while (await MidStreamAsync(items.MoveNextAsync(), cancellationToken).ConfigureAwait(false))
            {
                yield return items.Current;
            }
        }
    }

    /// <summary>The answer's lines as they arrive (NDJSON), blank ones skipped; a connection that breaks is an error as in <see cref="ReadEventsAsync"/>.</summary>
    public async IAsyncEnumerable<string> ReadLinesAsync(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await MidStreamAsync(reader.ReadLineAsync(cancellationToken), cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return line;
            }
        }
    }

    private HttpRequestMessage JsonPost(string relativePath, ReadOnlyMemory<byte> json, string? accept)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, Endpoint(relativePath)) { Content = new ReadOnlyMemoryContent(json) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (accept is not null)
        {
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        return message;
    }

    private async ValueTask<TResult> MidStreamAsync<TResult>(ValueTask<TResult> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw UpstreamFailures.BrokeMidStream(_settings.Name, _settings.Url, exception);
        }
    }
}
