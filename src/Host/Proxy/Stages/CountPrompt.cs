using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Http;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Proxy.ContextWindows;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>
/// Counts the routed request for its backend, through the same transforms, as well as it can be
/// (<see cref="PromptCounter"/>: the server's count, the model's tokenizer, or the estimate, calibrated once the
/// conversation's turns have been reported); <c>anyclaude-token-count</c> says which.
/// </summary>
internal sealed class CountPrompt(
    BackendRegistry backends,
    RequestPipelines pipelines,
    CapabilityDiscovery discovery,
    PromptCounter counter,
    ILogger<CountPrompt> logger) : IExchangeStage
{
    public async Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        var routed = exchange.Routed;
        var backend = backends.Get(routed.Backend);
        var call = new BackendCall(exchange.RequestId, logger) { Model = routed.Model };
        await pipelines.For(backend).ApplyAsync(new RequestContext(exchange.Request, backend, call), exchange.Aborted).ConfigureAwait(false);
        await discovery.EnsureAsync(backend, exchange.Aborted).ConfigureAwait(false);
        var counted = await counter.CountAsync(backend, exchange.Request, routed.ConversationKey, exchange.Aborted).ConfigureAwait(false);
        routed.PromptTokens = counted;
        int tokens = counted.Tokens;

        await JsonResponses.WriteAsync(exchange.Context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("input_tokens", tokens);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
