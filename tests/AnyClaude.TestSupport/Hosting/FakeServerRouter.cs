using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport;

/// <summary>The fake server's only middleware: records every request, then dispatches it by method and path.</summary>
internal sealed class FakeServerRouter(FlavorDialect dialect, ServerState state, CancellationToken serverStopping)
{
    private readonly ChatCompletionEndpoint _chat = new(dialect, state);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        try
        {
            var recorded = await RequestRecorder.RecordAsync(request, context.RequestAborted).ConfigureAwait(false);
            var isChat = HttpMethods.IsPost(request.Method) && dialect.IsChatPath(recorded.Path);
            state.Record(recorded, isChat);

            if (isChat)
            {
                await _chat.HandleAsync(context, recorded, serverStopping).ConfigureAwait(false);
                return;
            }

            var reply = (HttpMethods.IsGet(request.Method) ? dialect.HandleGet(recorded.Path)
                    : HttpMethods.IsPost(request.Method) ? dialect.HandlePost(recorded)
                    : null)
                ?? dialect.NotFound(request.Method, recorded.Path);
            await reply.WriteAsync(context.Response, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException
            && (context.RequestAborted.IsCancellationRequested || serverStopping.IsCancellationRequested))
        {
            // The client went away or the server is stopping: nothing left to answer.
        }
    }
}
