using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Cache;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>The title and topic side requests answered in the proxy (<see cref="LocalSideAnswers"/>), never the classifier.</summary>
internal sealed class AnswerLocally(AnyClaudeOptions options) : IExchangeStage
{
    public Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next)
    {
        if (options.LocalSideAnswers && LocalSideAnswers.TryAnswer(exchange.Routed.Class, exchange.Request) is { } answer)
        {
            exchange.Routed.Backend = LocalSideAnswers.Backend;
            exchange.Routed.Strategy = LocalSideAnswers.Strategy;
            exchange.Answer = LocalSideAnswers.StreamAsync(answer, exchange.Request.Model, exchange.Aborted);
        }

        return next(exchange);
    }
}
