using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>Reads and validates the body (400/413 naming the field, before anything is done).</summary>
internal sealed class ReadRequest(AnyClaudeOptions options) : IExchangeStage
{
    public async Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        (exchange.Request, exchange.Body) = await MessagesRequestReader.ReadAsync(
            exchange.Context, options.MaxRequestBodyBytes, requireMaxTokens: false, options.Limits).ConfigureAwait(false);
        await next(exchange).ConfigureAwait(false);
    }
}
