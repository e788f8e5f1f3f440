using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Proxy.Telemetry;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>
/// A request refused before it reached a backend (a body the reader rejects, a probe for a model nobody serves) gets
/// its own log line and is counted in the metrics (<c>route="refused"</c>; backend <c>-</c> when it was not routed yet).
/// It stays out of <c>anyclaude status</c>'s per-backend figures and recent requests: no backend saw it.
/// </summary>
internal sealed partial class CountRefusals(ProxyMetrics metrics, ILogger<CountRefusals> logger) : IExchangeStage
{
    public async Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        try
        {
            await next(exchange).ConfigureAwait(false);
        }
        catch (AnthropicException exception) when (exchange.Observer is null)
        {
            string backend = exchange.RoutedSoFar?.Backend ?? "-";
            metrics.Refused(backend, exchange.RoutedSoFar?.ClassName ?? "-", exception.StatusCode, exception.ErrorType);
            LogRefused(logger, exchange.RequestId, backend, exception.StatusCode, exception.Message);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend} refused {Status} before it was sent: {Error}")]
    private static partial void LogRefused(ILogger logger, string proxyRequestId, string backend, int status, string error);
}
