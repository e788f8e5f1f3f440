using AnyClaude.Host.Proxy.Stages;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Endpoints;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: routed like a real request (class <c>count</c>), through the same transforms,
/// and counted for that backend (<see cref="ProxyPipelines.CountTokens"/>).
/// </summary>
internal sealed class CountTokensEndpoint(ProxyPipelines pipelines)
{
    public Task HandleAsync(HttpContext context) => pipelines.CountTokens(new MessageExchange(context, countTokens: true));
}
