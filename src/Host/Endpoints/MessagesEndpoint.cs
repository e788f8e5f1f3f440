using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Diagnostics;
using AnyClaude.Host.Http;
using AnyClaude.Host.Responses;
using AnyClaude.Host.Streaming;
using AnyClaude.Host.Transforms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Endpoints;

/// <summary><c>POST /v1/messages</c>: one path for streaming and non-streaming answers.</summary>
internal sealed partial class MessagesEndpoint(AnyClaudeOptions options, BackendRegistry backends, RequestPipelines pipelines, ResponsePipelines responses, ILogger<MessagesEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        string requestId = RequestIds.Get(context);
        var cancellationToken = context.RequestAborted;
        var (request, body) = await MessagesRequestReader.ReadAsync(context, options.MaxRequestBodyBytes, requireMaxTokens: false, options.Limits).ConfigureAwait(false);
        var backend = backends.Selected;
        bool stream = request.Stream == true;

        var trace = options.Debug >= 3 ? RequestTrace.Create(options.TraceDirectory, requestId) : null;
        trace?.WriteRequest(context.Request, body);
        var observer = new RequestObserver(logger, requestId, backend.Name, request.Model, stream, trace);
        var call = new BackendCall(requestId, logger) { OnUpstreamBody = trace is null ? null : trace.WriteUpstreamBody };
        try
        {
            await pipelines.For(backend).ApplyAsync(new RequestContext(request, backend, call), cancellationToken).ConfigureAwait(false);
            if (options.Debug >= 2)
            {
                LogRequestSummary(logger, requestId, request.Model, request.Messages.Count, request.Tools?.Count ?? 0, request.MaxTokens, stream);
            }

            var events = FirstEventTimeout.StreamAsync(responses.Wrap(backend), request, call, options.FirstByteTimeout, cancellationToken);
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
            observer.OnError(exception.StatusCode, exception.Message);
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
                LogWarning(logger, requestId, backend.Name, warning);
            }

            observer.Complete();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{RequestId} request model={Model} messages={Messages} tools={Tools} max_tokens={MaxTokens} stream={Stream}")]
    private static partial void LogRequestSummary(ILogger logger, string requestId, string model, int messages, int tools, int? maxTokens, bool stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{RequestId} {Backend}: {Warning}")]
    private static partial void LogWarning(ILogger logger, string requestId, string backend, string warning);
}
