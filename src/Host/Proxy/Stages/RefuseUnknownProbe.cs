using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>Claude Code's model probe for a model no backend serves is answered 404 (<see cref="ProbeCheck"/>), never sent on.</summary>
internal sealed class RefuseUnknownProbe(ProbeCheck probes) : IExchangeStage
{
    public async Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        await probes.ThrowIfUnknownAsync(exchange.Routed, exchange.Aborted).ConfigureAwait(false);
        await next(exchange).ConfigureAwait(false);
    }
}
