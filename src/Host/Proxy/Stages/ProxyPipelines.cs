using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>
/// The stages of the Anthropic endpoints, declared once, in the order a request meets them. A new stage is a small
/// <see cref="IExchangeStage"/> in this folder, listed here; stages are built once, from the service provider.
/// </summary>
internal sealed class ProxyPipelines(IServiceProvider services)
{
    /// <summary><c>POST /v1/messages</c>.</summary>
    public ExchangeDelegate Messages { get; } = Build(
        services,
        typeof(CountRefusals),
        typeof(ReadRequest),
        typeof(RouteRequest),
        typeof(GiveWayToRewarm),
        typeof(RefuseUnknownProbe),
        typeof(ObserveRequest),
        typeof(AnswerLocally),
        typeof(TryBackends),
        typeof(Respond));

    /// <summary><c>POST /v1/messages/count_tokens</c>: read and routed as a request is, then counted for its backend.</summary>
    public ExchangeDelegate CountTokens { get; } = Build(
        services,
        typeof(CountRefusals),
        typeof(ReadRequest),
        typeof(RouteRequest),
        typeof(CountPrompt));

    private static ExchangeDelegate Build(IServiceProvider services, params Type[] stages)
    {
        ExchangeDelegate next = static _ => Task.CompletedTask;
        for (int i = stages.Length - 1; i >= 0; i--)
        {
            var stage = (IExchangeStage)ActivatorUtilities.CreateInstance(services, stages[i]);
            var after = next;
            next = exchange => stage.InvokeAsync(exchange, after);
        }

        return next;
    }
}
