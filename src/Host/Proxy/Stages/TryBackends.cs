using AnyClaude.Host.Proxy.Attempts;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>The route's backend, then its fallbacks (<see cref="AttemptRunner"/>), unless an earlier stage has the answer.</summary>
internal sealed class TryBackends(AttemptRunner attempts) : IExchangeStage
{
    public Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        exchange.Answer ??= attempts.StreamAsync(exchange.Routed, exchange.Request, exchange.Body, exchange.Call, exchange.Aborted);
        return next(exchange);
    }
}
