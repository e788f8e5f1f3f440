using AnyClaude.Host.Proxy.Cache;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>
/// Joins or cancels a rewarm running on the request's backend before the request goes on, and once an answered
/// request is over, lets the <see cref="Rewarmer"/> decide whether its backend needs one.
/// </summary>
internal sealed class GiveWayToRewarm(Rewarmer rewarmer) : IExchangeStage
{
    public async Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        await rewarmer.GiveWayAsync(exchange.Routed, exchange.Aborted).ConfigureAwait(false);
        try
        {
            await next(exchange).ConfigureAwait(false);
        }
        finally
        {
            if (exchange.Observer is { } observer)
            {
                rewarmer.Finished(exchange.Routed, exchange.Body, observer.Status);
            }
        }
    }
}
