using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Security;

/// <summary>
/// Endpoint metadata: the endpoint answers only requests from this machine, whatever address the proxy listens
/// on and whatever key the caller has. Every control or admin endpoint (anything that changes the proxy's
/// state) carries it: map it in <see cref="AdminGroup"/> or call <see cref="LoopbackOnlyExtensions.RequireLoopback{TBuilder}"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class LoopbackOnlyAttribute : Attribute
{
}

internal static class LoopbackOnlyExtensions
{
    public static TBuilder RequireLoopback<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new LoopbackOnlyAttribute());
}

/// <summary>Answers 403 <c>permission_error</c> when an endpoint marked <see cref="LoopbackOnlyAttribute"/> is called from another machine.</summary>
internal sealed class LoopbackOnlyMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<LoopbackOnlyAttribute>() is null
            || ListenAddresses.IsLoopback(context.Connection.RemoteIpAddress))
        {
            return next(context);
        }

        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            AnthropicErrorTypes.Permission,
            $"{context.Request.Path} answers only on the machine the proxy runs on (loopback)",
            shouldRetry: false);
    }
}
