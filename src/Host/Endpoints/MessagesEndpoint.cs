using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Cache;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Diagnostics;
using AnyClaude.Host.Http;
using AnyClaude.Host.Routing;
using AnyClaude.Host.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Endpoints;

/// <summary><c>POST /v1/messages</c>: one path for streaming and non-streaming answers, routed once, with fallback.</summary>
internal sealed partial class MessagesEndpoint(
    AnyClaudeOptions options,
    Router router,
    ProbeCheck probes,
    AttemptRunner attempts,
    RecentRequests recent,
    ConversationCaches conversations,
    Rewarmer rewarmer,
    ContextWindows.EstimateCalibration calibration,
    ProxyMetrics metrics,
    LiveRequests live,
    ILogger<MessagesEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        string requestId = RequestIds.Get(context);
        var cancellationToken = context.RequestAborted;
        var (request, body) = await MessagesRequestReader.ReadAsync(context, options.MaxRequestBodyBytes, requireMaxTokens: false, options.Limits).ConfigureAwait(false);
        var routed = router.Route(request, countTokens: false, ClaudeCodeHints.From(context.Request.Headers));
        routed.ClaudeCodeVersion = ClaudeCodeVersion.From(context.Request.Headers);
        RouteHeaders.Attach(context, routed);
        await rewarmer.GiveWayAsync(routed, cancellationToken).ConfigureAwait(false);
        await probes.ThrowIfUnknownAsync(routed, cancellationToken).ConfigureAwait(false);
        bool stream = request.Stream == true;

        var trace = options.Debug >= 3 ? RequestTrace.Create(options.TraceDirectory, requestId) : null;
        trace?.WriteRequest(context.Request, body);
        var running = live.Start(requestId, routed.Backend, routed.Model ?? request.Model, routed.ClassName);
        var observer = new RequestObserver(logger, requestId, routed.Backend, request.Model, stream, trace)
        {
            RequestClass = routed.ClassName,
            Live = running,
            Completed = outcome =>
            {
                live.End(running);
                recent.Add(routed, outcome);
                metrics.Record(routed, outcome);
                calibration.Observe(routed.ConversationKey, outcome.InputTokens + outcome.CachedTokens);
            },
        };
        var call = new BackendCall(requestId, logger)
        {
            OnUpstreamBody = trace is null ? null : trace.WriteUpstreamBody,
            RequestClass = RequestClasses.NameOf(routed.Class),
            ConversationKey = routed.AffinityKey,
            OnPrefillProgress = (done, total) =>
            {
                if (running.OnPrefillProgress(done, total))
                {
                    LogPrefill(logger, requestId, running.Backend, done, total, 100.0 * done / total);
                }
            },
        };
        observer.Strategy = () => CacheStrategy.Describe(routed, call);
        observer.Conversation = (prompt, cached) => conversations.Record(routed.AffinityKey, observer.Backend, prompt, cached).ToString();
        try
        {
            var events = options.LocalSideAnswers && LocalSideAnswers.TryAnswer(routed.Class, request) is { } answer
                ? AnswerLocally(routed, observer, running, answer, request.Model, cancellationToken)
                : attempts.StreamAsync(routed, request, body, call, backend => observer.Backend = running.Backend = backend.Name, cancellationToken);
            if (stream)
            {
                await MessageResponder.StreamAsync(context, events, options.HeartbeatInterval, observer, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await MessageResponder.AggregateAsync(context, events, observer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AnthropicException exception)
        {
            observer.OnError(exception.StatusCode, exception.Message, exception.ErrorType);
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            observer.OnClientGone();
        }
        finally
        {
            foreach (var warning in call.Warnings.Distinct())
            {
                LogWarning(logger, requestId, observer.Backend, warning);
            }

            observer.Complete();
            rewarmer.Finished(routed, body, observer.Status);
        }
    }

    private static IAsyncEnumerable<Abstractions.Streaming.MessageStreamEvent> AnswerLocally(
        RoutedRequest routed, RequestObserver observer, LiveRequest running, string answer, string model, CancellationToken cancellationToken)
    {
        routed.Backend = LocalSideAnswers.Backend;
        routed.Strategy = LocalSideAnswers.Strategy;
        observer.Backend = running.Backend = LocalSideAnswers.Backend;
        return LocalSideAnswers.StreamAsync(answer, model, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend} prefill {Done}/{Total} prompt tokens ({Percent:0}%)")]
    private static partial void LogPrefill(ILogger logger, string proxyRequestId, string backend, int done, int total, double percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string proxyRequestId, string backend, string warning);
}
