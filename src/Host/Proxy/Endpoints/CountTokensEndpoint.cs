using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Proxy.ContextWindows;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Endpoints;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: routed like a real request (class <c>count</c>), through the same transforms,
/// and counted for that backend as well as it can be (<see cref="PromptCounter"/>: the server's count, the model's tokenizer,
/// or the estimate, calibrated once the conversation's turns have been reported); <c>anyclaude-token-count</c> says which.
/// </summary>
internal sealed class CountTokensEndpoint(
    AnyClaudeOptions options,
    Router router,
    BackendRegistry backends,
    RequestPipelines pipelines,
    CapabilityDiscovery discovery,
    PromptCounter counter,
    ILogger<CountTokensEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var (request, _) = await MessagesRequestReader.ReadAsync(context, options.MaxRequestBodyBytes, requireMaxTokens: false, options.Limits).ConfigureAwait(false);
        var routed = router.Route(request, countTokens: true, ClaudeCodeHints.From(context.Request.Headers));
        RouteHeaders.Attach(context, routed);
        var backend = backends.Get(routed.Backend);
        var call = new BackendCall(RequestIds.Get(context), logger) { Model = routed.Model };
        await pipelines.For(backend).ApplyAsync(new RequestContext(request, backend, call), cancellationToken).ConfigureAwait(false);
        await discovery.EnsureAsync(backend, cancellationToken).ConfigureAwait(false);
        var counted = await counter.CountAsync(backend, request, routed.ConversationKey, cancellationToken).ConfigureAwait(false);
        routed.PromptTokens = counted;
        int tokens = counted.Tokens;

        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("input_tokens", tokens);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
