using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport;

/// <summary>Writes a whole (non-streamed) answer with the script's delays, hang or break.</summary>
internal static class ReplyWriter
{
    public static async Task WriteAsync(HttpContext context, JsonReply reply, ScriptedResponse timing, CancellationToken serverStopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        var cancellationToken = linked.Token;
        await Task.Delay(timing.HeaderDelay + timing.PrefillDelay, cancellationToken).ConfigureAwait(false);

        if (timing.Hangs || timing.BreakAfter is not null)
        {
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            await context.Response.StartAsync(cancellationToken).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (timing.BreakAfter is not null)
            {
                await ConnectionBreaker.BreakAsync(context, cancellationToken).ConfigureAwait(false);
                return;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        await reply.WriteAsync(context.Response, cancellationToken).ConfigureAwait(false);
    }
}
