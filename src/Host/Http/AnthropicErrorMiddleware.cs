using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Http;

/// <summary>
/// Makes every failure an Anthropic error: a thrown <see cref="AnthropicException"/> becomes its status and
/// type, anything unexpected a 500 <c>api_error</c> (or an <c>event: error</c> if a stream had started), and a
/// bare error status from routing (404, 405) gets an Anthropic body. The process never dies on one request.
/// </summary>
internal sealed partial class AnthropicErrorMiddleware(RequestDelegate next, ILogger<AnthropicErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        RequestIds.Get(context);
        try
        {
            await next(context).ConfigureAwait(false);
            if (!context.Response.HasStarted && context.Response.StatusCode >= 400 && context.Response.ContentLength is null)
            {
                await WriteForStatusAsync(context).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (AnthropicException exception)
        {
            await AnswerAsync(context, exception).ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception)
        {
            var error = exception.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new AnthropicException(AnthropicErrorTypes.RequestTooLarge, "the request body is larger than the proxy's limit (maxRequestBodyBytes)", 413, shouldRetry: false)
                : new AnthropicException(AnthropicErrorTypes.InvalidRequest, $"bad HTTP request: {exception.Message}", exception.StatusCode, shouldRetry: false);
            await AnswerAsync(context, error).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogUnexpected(logger, context.Request.Method, context.Request.Path, exception);
            await AnswerAsync(context, new AnthropicException(AnthropicErrorTypes.Api, $"internal error in anyclaude: {exception.Message}", 500)).ConfigureAwait(false);
        }
    }

    private static async Task AnswerAsync(HttpContext context, AnthropicException exception)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ErrorResponses.WriteAsync(context, exception).ConfigureAwait(false);
            return;
        }

        if (context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.Ordinal) == true)
        {
            using var writer = new SseEventWriter(context.Response.BodyWriter);
            writer.Write(new ErrorEvent(exception.ToError()));
            await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static Task WriteForStatusAsync(HttpContext context)
    {
        int status = context.Response.StatusCode;
        string message = status switch
        {
            404 => $"not found: {context.Request.Method} {context.Request.Path} (AnyClaude serves POST /v1/messages, POST /v1/messages/count_tokens, GET /v1/models, GET /health/live, GET /health/ready)",
            405 => $"method {context.Request.Method} is not allowed on {context.Request.Path}",
            _ => $"HTTP {status}",
        };
        string type = status == 405 ? AnthropicErrorTypes.InvalidRequest : AnthropicErrorTypes.TypeOfStatus(status);
        return ErrorResponses.WriteAsync(context, status, type, message, shouldRetry: false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure answering {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);
}
