using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Responding;

/// <summary>
/// Answers a Messages request from a backend's event stream: as SSE (with pings while the backend is
/// silent), or folded into one JSON message. Errors thrown before anything was sent propagate, so the
/// caller can answer with a proper HTTP status; after that they become an <c>event: error</c>.
/// </summary>
internal static class MessageResponder
{
    public static async Task StreamAsync(HttpContext context, IAsyncEnumerable<MessageStreamEvent> events, TimeSpan heartbeat, RequestObserver observer, CancellationToken cancellationToken)
    {
        var response = context.Response;
        var writer = new SseEventWriter(response.BodyWriter);
        bool started = false;
        bool messageStarted = false;
        bool unflushed = false;
        bool firstDeltaSent = false;

        async ValueTask StartAsync()
        {
            if (started)
            {
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            await response.StartAsync(cancellationToken).ConfigureAwait(false);
            started = true;
        }

        async ValueTask OnIdleAsync()
        {
            await StartAsync().ConfigureAwait(false);
            // Before message_start only a comment is safe for every client; after it, Anthropic's own ping.
            if (messageStarted)
            {
                writer.Write(PingEvent.Instance);
            }
            else
            {
                writer.WriteComment("waiting for the backend");
            }

            observer.OnPing();
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            unflushed = false;
        }

        async ValueTask FlushPendingAsync()
        {
            if (unflushed)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                unflushed = false;
            }
        }

        // One delegate each for the whole stream, not two per event.
        Func<ValueTask> onIdle = OnIdleAsync;
        Func<ValueTask> beforeWait = FlushPendingAsync;
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await HeartbeatEnumerator.MoveNextAsync(enumerator, heartbeat, onIdle, beforeWait).ConfigureAwait(false))
            {
                var streamEvent = enumerator.Current;
                await StartAsync().ConfigureAwait(false);
                messageStarted |= streamEvent is MessageStartEvent;
                observer.OnEvent(streamEvent);
                writer.Write(streamEvent);
                unflushed = true;
                if (!firstDeltaSent && streamEvent is ContentBlockDeltaEvent)
                {
                    firstDeltaSent = true;
                    await SendFirstTokenAsync(writer, cancellationToken).ConfigureAwait(false);
                    unflushed = false;
                }
            }

            await FlushPendingAsync().ConfigureAwait(false);
        }
        catch (AnthropicException exception) when (started)
        {
            observer.OnError(exception.StatusCode, exception.Message, exception.ErrorType);
            writer.Write(new ErrorEvent(exception.ToError()));
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Anything else that ends the stream early: the events already written still go out before whatever the
            // error middleware adds.
            writer.MoveToPipe();
            writer.Dispose();
        }
    }

    /// <summary>
    /// The first token goes out at once; later events are flushed when the backend keeps us waiting, so a fast
    /// backend's tokens that have already arrived go out together. Kestrel sends what was flushed from a work item of
    /// its own, which on a busy core runs only once this request's thread waits; a backend that is faster than the
    /// proxy never makes it wait, and the first token would leave with the last. Yielding once lets it go now.
    /// </summary>
    private static async ValueTask SendFirstTokenAsync(SseEventWriter writer, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await Task.Yield();
    }

    public static async Task AggregateAsync(HttpContext context, IAsyncEnumerable<MessageStreamEvent> events, RequestObserver observer, CancellationToken cancellationToken)
    {
        var accumulator = new MessageAccumulator();
        await foreach (var streamEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            observer.OnEvent(streamEvent);
            accumulator.Add(streamEvent);
        }

        var message = accumulator.Finish();
        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json =>
            JsonSerializer.Serialize(json, message, AnthropicJsonContext.Default.MessageResponse)).ConfigureAwait(false);
    }
}
