using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport;

/// <summary>Writes one chat stream with the script's timing, and reports how it ended.</summary>
internal static class ChatStreamWriter
{
    /// <summary>mlx-lm reports prefill progress about this often.</summary>
    private static readonly TimeSpan KeepaliveInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<StreamOutcome> WriteAsync(HttpContext context, StreamScript stream, CancellationToken serverStopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        var cancellationToken = linked.Token;
        var response = context.Response;
        var timing = stream.Timing;
        try
        {
            await Task.Delay(timing.HeaderDelay, cancellationToken).ConfigureAwait(false);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            await response.StartAsync(cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

            if (timing.Hangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            await PrefillAsync(response, timing.PrefillDelay, stream.Prefill, cancellationToken).ConfigureAwait(false);

            for (var i = 0; i < stream.Frames.Count; i++)
            {
                if (timing.BreakAfter == i)
                {
                    return await BreakAsync(context, cancellationToken).ConfigureAwait(false);
                }

                if (i > 0)
                {
                    await Task.Delay(timing.ChunkDelay, cancellationToken).ConfigureAwait(false);
                }

                await WriteAsync(response, stream.Frames[i], cancellationToken).ConfigureAwait(false);
            }

            if (timing.BreakAfter is not null)
            {
                // Asked to break after at least as many chunks as there are: cut before [DONE].
                return await BreakAsync(context, cancellationToken).ConfigureAwait(false);
            }

            if (stream.SendDone)
            {
                await WriteAsync(response, SseFrame.Done, cancellationToken).ConfigureAwait(false);
            }

            return StreamOutcome.Completed;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            if (serverStopping.IsCancellationRequested)
            {
                return StreamOutcome.ServerStopped;
            }

            if (context.RequestAborted.IsCancellationRequested)
            {
                return StreamOutcome.ClientAborted;
            }

            throw;
        }
    }

    private static async Task<StreamOutcome> BreakAsync(HttpContext context, CancellationToken cancellationToken)
    {
        await ConnectionBreaker.BreakAsync(context, cancellationToken).ConfigureAwait(false);
        return StreamOutcome.BrokenOnPurpose;
    }

    /// <summary>Waits out the prefill; with progress to report, writes a progress frame every 200 ms meanwhile.</summary>
    private static async Task PrefillAsync(HttpResponse response, TimeSpan delay, PrefillProgress? prefill, CancellationToken cancellationToken)
    {
        if (prefill is null)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return;
        }

        var ticks = (int)Math.Ceiling(delay / KeepaliveInterval);
        if (ticks == 0 && prefill.AtLeastOnce)
        {
            ticks = 1;
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var remaining = delay;
        for (var tick = 1; tick <= ticks; tick++)
        {
            var wait = remaining < KeepaliveInterval ? remaining : KeepaliveInterval;
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            remaining -= wait;
            var processed = prefill.Cached + (int)((long)(prefill.Total - prefill.Cached) * tick / ticks);
            await WriteAsync(response, prefill.Frame(processed, started.ElapsedMilliseconds), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes and flushes one frame. Kestrel drops writes silently once the client is gone, so check first.</summary>
    private static async Task WriteAsync(HttpResponse response, byte[] frame, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await response.Body.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
