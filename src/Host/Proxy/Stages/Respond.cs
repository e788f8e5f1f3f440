using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Responding;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>Writes the answer: as SSE with keep-alives for <c>"stream": true</c>, else folded into one message.</summary>
internal sealed class Respond(AnyClaudeOptions options) : IExchangeStage
{
    public Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        var answer = exchange.Answer ?? throw new InvalidOperationException("no stage before Respond set the answer");
        var observer = exchange.Observer ?? throw new InvalidOperationException("Respond runs after ObserveRequest");
        return exchange.Request.Stream == true
            ? MessageResponder.StreamAsync(exchange.Context, answer, options.HeartbeatInterval, observer, exchange.Aborted)
            : MessageResponder.AggregateAsync(exchange.Context, answer, observer, exchange.Aborted);
    }
}
