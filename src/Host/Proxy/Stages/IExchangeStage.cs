namespace AnyClaude.Host.Proxy.Stages;

/// <summary>The rest of a pipeline after a stage.</summary>
internal delegate Task ExchangeDelegate(MessageExchange exchange);

/// <summary>
/// One step of a request's path (ASP.NET Core's middleware shape, on <see cref="MessageExchange"/>): it does its part
/// and calls <c>next</c>, or answers and does not; work it must do once the request is over goes after <c>next</c>.
/// </summary>
internal interface IExchangeStage
{
    Task InvokeAsync(MessageExchange exchange, ExchangeDelegate next);
}
