using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport;

/// <summary>
/// <c>POST …/chat/completions</c>: applies the flavor's checks, takes the next script and answers it,
/// streamed when the request says <c>"stream": true</c>.
/// </summary>
internal sealed class ChatCompletionEndpoint(FlavorDialect dialect, ServerState state)
{
    public async Task HandleAsync(HttpContext context, RecordedRequest recorded, CancellationToken serverStopping)
    {
        if (!TryAccept(recorded, out var request, out var rejection))
        {
            await rejection.WriteAsync(context.Response, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var script = state.NextScript(recorded);
        switch (script.Kind)
        {
            case ScriptedResponseKind.HttpError:
                await ReplyWriter.WriteAsync(context, JsonReply.Raw(script.StatusCode, script.ErrorBody), script, serverStopping).ConfigureAwait(false);
                break;
            case ScriptedResponseKind.ServerError:
                await ReplyWriter.WriteAsync(context, dialect.ServerError(script.StatusCode, script.ErrorMessage), script, serverStopping).ConfigureAwait(false);
                break;
            case ScriptedResponseKind.ContextOverflow:
                var overflow = dialect.ContextOverflow(
                    script.OverflowPromptTokens ?? request.EstimatedPromptTokens,
                    dialect.Options.ContextLength ?? 4096);
                await ReplyWriter.WriteAsync(context, overflow, script, serverStopping).ConfigureAwait(false);
                break;
            case ScriptedResponseKind.Raw:
                var raw = new StreamScript([.. script.RawPayloads.Select(SseFrame.Data)], script.SendsDone, script, dialect.Prefill(request, meta: null, request.EstimatedPromptTokens, cachedTokens: 0));
                await StreamAsync(context, raw, serverStopping).ConfigureAwait(false);
                break;
            case ScriptedResponseKind.Completion:
                var plan = ChunkPlanner.Plan(script, request, dialect);
                if (request.Stream)
                {
                    var frames = Frames(plan, request.IncludeUsage);
                    await StreamAsync(context, new StreamScript(frames, script.SendsDone, script, dialect.Prefill(request, plan.Meta, plan.Usage.PromptTokens, plan.Usage.CachedTokens)), serverStopping)
                        .ConfigureAwait(false);
                }
                else
                {
                    var reply = JsonReply.Json(StatusCodes.Status200OK, dialect.JsonOptions, w => dialect.WriteCompletion(w, plan));
                    await ReplyWriter.WriteAsync(context, reply, script, serverStopping).ConfigureAwait(false);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown script kind {script.Kind}.");
        }
    }

    /// <summary>The flavor's checks, in the server's order: transport, JSON, content.</summary>
    private bool TryAccept(
        RecordedRequest recorded,
        [NotNullWhen(true)] out ChatRequest? request,
        [NotNullWhen(false)] out JsonReply? rejection)
    {
        request = null;
        rejection = dialect.CheckTransport(recorded);
        if (rejection is not null)
        {
            return false;
        }

        if (!ChatRequest.TryParse(recorded.Body, out request, out var parseError))
        {
            rejection = dialect.InvalidJson(parseError);
            return false;
        }

        rejection = dialect.CheckChat(request);
        return rejection is null;
    }

    private async Task StreamAsync(HttpContext context, StreamScript stream, CancellationToken serverStopping)
    {
        state.StreamStarted();
        var outcome = StreamOutcome.ServerStopped;
        try
        {
            outcome = await ChatStreamWriter.WriteAsync(context, stream, serverStopping).ConfigureAwait(false);
        }
        finally
        {
            state.StreamEnded(outcome);
        }
    }

    private List<byte[]> Frames(CompletionPlan plan, bool includeUsage) => [.. dialect.StreamFrames(plan, includeUsage)];
}
