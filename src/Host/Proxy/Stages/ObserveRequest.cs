using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Cache;
using AnyClaude.Host.Proxy.Telemetry;
using AnyClaude.Host.Requests;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>
/// Everything that watches a request from here on: its trace (debug 3), its row among the running requests, the
/// <see cref="RequestObserver"/> that writes its log line, its conversation's cache sums, and once it is over the
/// <see cref="IRequestListener"/>s (recent requests, metrics, calibration). It also makes the request's
/// <see cref="BackendCall"/>, whose prefill progress it shows.
/// </summary>
internal sealed partial class ObserveRequest(
    AnyClaudeOptions options,
    LiveRequests live,
    ConversationCaches conversations,
    IEnumerable<IRequestListener> listeners,
    ILogger<ObserveRequest> logger) : IExchangeStage
{
    private readonly IRequestListener[] _listeners = [.. listeners];

    public async Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        string requestId = exchange.RequestId;
        var request = exchange.Request;
        var routed = exchange.Routed;
        var trace = options.Debug >= 3 ? RequestTrace.Create(options.TraceDirectory, requestId) : null;
        trace?.WriteRequest(exchange.Context.Request, exchange.Body.Span);
        var running = live.Start(requestId, routed, routed.Model ?? request.Model);
        var observer = new RequestObserver(logger, requestId, routed, request.Model, request.Stream == true, trace)
        {
            Live = running,
            Completed = finished =>
            {
                var outcome = exchange.Call.Destination is { } destination ? finished with { Destination = destination } : finished;
                live.End(running);
                foreach (var listener in _listeners)
                {
                    listener.OnCompleted(routed, outcome);
                }
            },
        };
        var call = new BackendCall(requestId, logger)
        {
            OnUpstreamBody = trace is null ? null : trace.WriteUpstreamBody,
            RequestClass = RequestClasses.NameOf(routed.Class),
            ConversationKeySource = () => routed.AffinityKey,
            OnPrefillProgress = (done, total) =>
            {
                if (running.OnPrefillProgress(done, total))
                {
                    LogPrefill(logger, requestId, running.Backend, done, total, 100.0 * done / total);
                }
            },
        };
        observer.Strategy = () => CacheStrategy.Describe(routed, call);
        observer.Conversation = (prompt, cached) => conversations.Record(routed.AffinityKey, routed.Backend, prompt, cached).ToString();
        exchange.Observer = observer;
        exchange.Call = call;
        try
        {
            await next(exchange).ConfigureAwait(false);
        }
        catch (AnthropicException exception)
        {
            observer.OnError(exception.StatusCode, exception.Message, exception.ErrorType);
            throw;
        }
        catch (OperationCanceledException) when (exchange.Aborted.IsCancellationRequested)
        {
            observer.OnClientGone();
        }
        finally
        {
            foreach (var warning in call.Warnings.Distinct())
            {
                LogWarning(logger, requestId, routed.Backend, warning);
            }

            observer.Complete();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend} prefill {Done}/{Total} prompt tokens ({Percent:0}%)")]
    private static partial void LogPrefill(ILogger logger, string proxyRequestId, string backend, int done, int total, double percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string proxyRequestId, string backend, string warning);
}
