
using AnyClaude.Host.Proxy.Cache;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>Routes once (class, conversation, backend and model) and names the backend in the response's headers.</summary>
internal sealed class RouteRequest(Router router) : IExchangeStage
{
    public Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        exchange.Routed = router.Route(exchange.Request, exchange.CountTokens, ClaudeCodeHints.From(exchange.Context.Request.Headers));
        exchange.Routed.ClaudeCodeVersion = ClaudeCodeVersion.From(exchange.Context.Request.Headers);
        RouteHeaders.Attach(exchange.Context, exchange.Routed);
        return next(exchange);
    }
}
