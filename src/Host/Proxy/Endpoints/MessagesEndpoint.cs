using AnyClaude.Host.Proxy.Stages;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Endpoints;

/// <summary><c>POST /v1/messages</c>: one path for streaming and non-streaming answers, routed once, with fallback (<see cref="ProxyPipelines.Messages"/>).</summary>
internal sealed class MessagesEndpoint(ProxyPipelines pipelines)
{
    public Task HandleAsync(HttpContext context) => pipelines.Messages(new MessageExchange(context, countTokens: false));
}
