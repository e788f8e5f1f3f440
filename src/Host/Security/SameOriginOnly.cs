using System.Net;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Security;

/// <summary>
/// Endpoint metadata for a state-changing control: a browser request from another origin is refused (403), so a web
/// page cannot drive the proxy through the user's browser. SameSite cookies do not cover this alone: another port on
/// the same machine is the same site. With <see cref="OriginRequired"/> (the dashboard's own controls, which only a
/// browser calls) a request without <c>Origin</c> is refused too; otherwise (the admin endpoints the CLI calls, which
/// sends none) only a foreign one is.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class SameOriginOnlyAttribute(bool originRequired) : Attribute
{
    public bool OriginRequired { get; } = originRequired;
}

internal static class SameOriginOnlyExtensions
{
    public static TBuilder RequireSameOrigin<TBuilder>(this TBuilder builder, bool originRequired = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new SameOriginOnlyAttribute(originRequired));
}

internal sealed class SameOriginMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<SameOriginOnlyAttribute>() is not { } rule)
        {
            return next(context);
        }

        string? origin = context.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin) ? !rule.OriginRequired : IsOwnOrigin(context.Request, origin))
        {
            return next(context);
        }

        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            AnthropicErrorTypes.Permission,
            string.IsNullOrEmpty(origin)
                ? $"{context.Request.Path} takes only requests from the dashboard page (no Origin header was sent)"
                : $"{context.Request.Path} refuses requests from another origin ({origin}): only the proxy's own page on loopback may call it",
            shouldRetry: false);
    }

    /// <summary>
    /// The page's own origin: <c>http</c>, the very host and port the request was sent to, and that host a loopback
    /// name (a page on a rebound DNS name that points at 127.0.0.1 is not this proxy's page).
    /// </summary>
    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttp
        && uri.AbsolutePath == "/"
        && IsLoopbackName(uri.Host)
        && string.Equals(uri.Host.Trim('[', ']'), HostOf(request.Host), StringComparison.OrdinalIgnoreCase)
        && uri.Port == (request.Host.Port ?? 80);

    private static string HostOf(HostString host) => host.Host.Trim('[', ']');

    private static bool IsLoopbackName(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && ListenAddresses.IsLoopback(address));
}
