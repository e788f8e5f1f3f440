using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Transforms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Endpoints;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: the request goes through the same transforms as a real one and
/// is rendered for the selected backend; the estimate is that rendering's UTF-8 size divided by four.
/// </summary>
internal sealed class CountTokensEndpoint(AnyClaudeOptions options, BackendRegistry backends, RequestPipelines pipelines, ILogger<CountTokensEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var (request, _) = await MessagesRequestReader.ReadAsync(context, options.MaxRequestBodyBytes, requireMaxTokens: false, options.Limits).ConfigureAwait(false);
        var backend = backends.Selected;
        var call = new BackendCall(RequestIds.Get(context), logger);
        await pipelines.For(backend).ApplyAsync(new RequestContext(request, backend, call), cancellationToken).ConfigureAwait(false);
        int tokens = await backend.CountInputTokensAsync(request, cancellationToken).ConfigureAwait(false);

        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("input_tokens", tokens);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
