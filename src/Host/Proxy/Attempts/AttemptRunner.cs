using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Proxy.Cache;
using AnyClaude.Host.Proxy.ContextWindows;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Proxy.Telemetry;
using AnyClaude.Host.Servers;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Attempts;

/// <summary>
/// One attempt is: the backend's request pipeline, the upstream call, its first event. When an attempt fails before
/// that event in a way another backend may not (<see cref="FallbackPolicy"/>), the next backend of the route's
/// fallback list gets a fresh copy of the client's request, parsed again from its bytes, since transforms change
/// the request in place. After the first event the stream is the backend's own: errors from then on stay in-stream.
/// The enumeration is lazy, so the responder's keep-alives run while the attempts do.
/// </summary>
internal sealed partial class AttemptRunner(
    AnyClaudeOptions options,
    BackendRegistry backends,
    RequestPipelines pipelines,
    ResponsePipelines responses,
    BackendHealthTracker health,
    BackendQueues queues,
    ContextFit fit,
    Prewarmer prewarmer,
    ProxyMetrics metrics,
    ServerSupervisors servers,
    ILogger<AttemptRunner> logger)
{
    private readonly AnyClaudeOptions _options = options;
    private readonly BackendRegistry _backends = backends;
    private readonly RequestPipelines _pipelines = pipelines;
    private readonly ResponsePipelines _responses = responses;
    private readonly BackendHealthTracker _health = health;
    private readonly BackendQueues _queues = queues;
    private readonly ContextFit _fit = fit;
    private readonly Prewarmer _prewarmer = prewarmer;
    private readonly ProxyMetrics _metrics = metrics;
    private readonly ServerSupervisors _servers = servers;
    private readonly ILogger _logger = logger;

    /// <summary>The route's backend, then its fallbacks; those in back-off go last, so they are tried only when nothing else is left.</summary>
    public IReadOnlyList<string> Candidates(RoutedRequest routed)
    {
        var fallbacks = routed.Table.FallbacksOf(routed.Decision.Backend);
        if (fallbacks.Count == 0)
        {
            return [routed.Decision.Backend];
        }

        var all = new List<string>(fallbacks.Count + 1) { routed.Decision.Backend };
        all.AddRange(fallbacks.Where(f => !all.Contains(f, StringComparer.OrdinalIgnoreCase)));
        return [.. all.Where(_health.IsAvailable), .. all.Where(b => !_health.IsAvailable(b))];
    }

    public IAsyncEnumerable<MessageStreamEvent> StreamAsync(
        RoutedRequest routed,
        MessagesRequest request,
        ReadOnlyMemory<byte> body,
        BackendCall call,
        CancellationToken cancellationToken) =>
        new Attempts(this, routed, request, body, call, cancellationToken);

    /// <summary>
    /// A backend whose server anyclaude starts (<c>start</c>) is waited for while it loads or restarts, up to its
    /// <c>startTimeoutSeconds</c>, inside the attempt (so the client gets keep-alives); a server that did not start is a
    /// 503 naming the command and what it printed, which another backend may answer instead.
    /// </summary>
    private async ValueTask WaitForServerAsync(string name, CancellationToken cancellationToken)
    {
        if (_servers.For(name) is not { } supervisor)
        {
            return;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(supervisor.Settings.Timeout);
        try
        {
            await supervisor.WaitUntilUpAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (ServerStartException exception)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, exception.Message, statusCode: 503, shouldRetry: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AnthropicException(
                AnthropicErrorTypes.Api,
                $"backend '{name}': its server ({supervisor.Settings.Command.Display}) was not up within {supervisor.Settings.Timeout.TotalSeconds:0} s (startTimeoutSeconds); last output: {string.Join(" | ", supervisor.LastOutput.TakeLast(5))}",
                statusCode: 503,
                shouldRetry: false);
        }
    }

    /// <summary>Room on the backend (<see cref="BackendQueues"/>): at once, or after waiting behind the requests it runs.</summary>
    private async ValueTask<BackendQueues.Place> EnterQueueAsync(string name, IBackend backend, BackendCall call, CancellationToken cancellationToken)
    {
        int? limit = BackendQueues.LimitOf(_backends.SettingsOf(name), backend);
        var place = await _queues.EnterAsync(name, limit, call.RequestId, _options.FirstByteTimeout, () => LogQueued(_logger, call.RequestId, name, limit ?? 0), cancellationToken).ConfigureAwait(false);
        if (place.WaitedSeconds > 0)
        {
            _metrics.Queued(name, place.WaitedSeconds);
        }

        return place;
    }

    /// <summary>A fresh copy of the client's request for another attempt.</summary>
    private MessagesRequest Reparse(ReadOnlyMemory<byte> body) => MessagesRequestReader.Parse(body.Span, _options.Limits.MaxJsonDepth);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} backend '{Failed}' failed before its first event ({Error}); falling back to '{Next}'")]
    private static partial void LogFallback(ILogger logger, string proxyRequestId, string failed, string error, string next);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} queued: backend '{Backend}' has its {Limit} requests in flight (maxInFlight)")]
    private static partial void LogQueued(ILogger logger, string proxyRequestId, string backend, int limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ProxyRequestId} route: class={Class} model={Model} -> {Backend} ({Reason})")]
    private static partial void LogRoute(ILogger logger, string proxyRequestId, string @class, string model, string backend, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ProxyRequestId} request model={Model} messages={Messages} tools={Tools} max_tokens={MaxTokens} stream={Stream}")]
    private static partial void LogRequestSummary(ILogger logger, string proxyRequestId, string model, int messages, int tools, int? maxTokens, bool stream);

    private sealed class Attempts(
        AttemptRunner runner,
        RoutedRequest routed,
        MessagesRequest request,
        ReadOnlyMemory<byte> body,
        BackendCall call,
        CancellationToken cancellationToken) : IAsyncEnumerable<MessageStreamEvent>, IAsyncEnumerator<MessageStreamEvent>
    {
        private IAsyncEnumerator<MessageStreamEvent>? _events;
        private BackendQueues.Place? _place;
        private string? _running;
        private bool _enumerated;

        public IAsyncEnumerator<MessageStreamEvent> GetAsyncEnumerator(CancellationToken enumeratorToken = default)
        {
            if (_enumerated)
            {
                throw new InvalidOperationException("A request's attempts run once.");
            }

            _enumerated = true;
            return this;
        }

        public MessageStreamEvent Current => _events!.Current;

        public ValueTask<bool> MoveNextAsync() => _events is null ? FirstAsync() : _events.MoveNextAsync();

        private async ValueTask<bool> FirstAsync()
        {
            var candidates = runner.Candidates(routed);
            if (runner._logger.IsEnabled(LogLevel.Debug))
            {
                LogRoute(runner._logger, call.RequestId, routed.ClassName, routed.RequestedModel, routed.Decision.Backend, routed.Decision.Reason);
            }

            for (int i = 0; ; i++)
            {
                string name = candidates[i];
                bool last = i == candidates.Count - 1;
                // The route's model goes with the route's backend; a fallback asks for its own configured model.
                string? model = string.Equals(name, routed.Decision.Backend, StringComparison.OrdinalIgnoreCase) ? routed.Decision.Model : null;
                var attempt = i == 0 ? request : runner.Reparse(body);
                routed.Backend = name;
                routed.Model = model;
                call.Model = model;
                IAsyncEnumerator<MessageStreamEvent>? events = null;
                IBackend? backend = null;
                bool started = false;
                try
                {
                    backend = runner._backends.Get(name);
                    routed.Backend = backend.Name;
                    await runner._pipelines.For(backend).ApplyAsync(new RequestContext(attempt, backend, call), cancellationToken).ConfigureAwait(false);
                    routed.PromptTokens = null;
                    await runner._fit.FitAsync(backend, attempt, routed, cancellationToken).ConfigureAwait(false);
                    call.PromptTokens = routed.PromptTokens?.Tokens;
                    if (runner._options.Debug >= 2)
                    {
                        LogRequestSummary(runner._logger, call.RequestId, attempt.Model, attempt.Messages.Count, attempt.Tools?.Count ?? 0, attempt.MaxTokens, attempt.Stream == true);
                    }

                    await runner.WaitForServerAsync(name, cancellationToken).ConfigureAwait(false);
                    // In the queue first, then past any warm-up: from the moment a request cancels a warm-up it counts in the
                    // backend's queue, so the warm-up cannot be sent again ahead of it.
                    _place = await runner.EnterQueueAsync(name, backend, call, cancellationToken).ConfigureAwait(false);
                    await runner._prewarmer.GiveWayAsync(name, backend, attempt, cancellationToken).ConfigureAwait(false);
                    runner._health.Started(name);
                    runner._metrics.Started(name);
                    started = true;
                    events = new FirstEventTimeout(runner._responses.Wrap(backend), runner._options.FirstByteTimeout).StreamAsync(attempt, call, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    bool more = await events.MoveNextAsync().ConfigureAwait(false);
                    runner._health.MarkSucceeded(name);
                    runner._prewarmer.Remember(name, attempt, routed);
                    routed.Model = call.Model ?? model;
                    _events = events;
                    _running = name;
                    return more;
                }
                catch (AnthropicException exception) when (FallbackPolicy.ShouldFallBack(exception))
                {
                    runner._health.MarkFailed(name, exception.Message);
                    await StopAsync(events, started ? name : null).ConfigureAwait(false);
                    if (last)
                    {
                        throw;
                    }

                    LogFallback(runner._logger, call.RequestId, name, exception.Message, candidates[i + 1]);
                    runner._metrics.FellBack(name, candidates[i + 1]);
                }
                catch (Exception exception)
                {
                    // Only the server's own refusal says its window may have changed, not the proxy's pre-flight one.
                    if (backend is not null && started && exception is AnthropicException refused)
                    {
                        runner._fit.OnRefused(backend, refused);
                    }

                    await StopAsync(events, started ? name : null).ConfigureAwait(false);
                    throw;
                }
            }
        }

        private async ValueTask StopAsync(IAsyncEnumerator<MessageStreamEvent>? events, string? started)
        {
            if (events is not null)
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }

            Interlocked.Exchange(ref _place, null)?.Dispose();

            if (started is not null)
            {
                runner._health.Finished(started);
                runner._metrics.Finished(started);
            }
        }

        public async ValueTask DisposeAsync()
        {
            var events = Interlocked.Exchange(ref _events, null);
            var running = Interlocked.Exchange(ref _running, null);
            await StopAsync(events, running).ConfigureAwait(false);
        }
    }
}
