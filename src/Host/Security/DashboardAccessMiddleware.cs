using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Security;

/// <summary>
/// In front of <see cref="AccessKeyMiddleware"/> when the proxy has a key: <c>GET /ui?token=…</c> from this machine
/// spends the one-time token for the session cookie and redirects to the clean <c>/ui</c> (a wrong, used or expired
/// token is 401); any other <c>/ui</c> request from this machine with a live session cookie is let in. Everything else
/// goes on to the key check.
/// </summary>
internal sealed class DashboardAccessMiddleware(RequestDelegate next, DashboardAccess access)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/ui") || !ListenAddresses.IsLoopback(context.Connection.RemoteIpAddress))
        {
            return next(context);
        }

        if (request.Path == "/ui" && HttpMethods.IsGet(request.Method) && request.Query.TryGetValue("token", out var token))
        {
            return ExchangeAsync(context, token.ToString());
        }

        if (access.IsSession(request.Cookies[DashboardAccess.CookieName]))
        {
            DashboardAccess.Admit(context);
        }

        return next(context);
    }

    private Task ExchangeAsync(HttpContext context, string token)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        if (access.Redeem(token) is not { } session)
        {
            return ErrorResponses.WriteAsync(
                context,
                StatusCodes.Status401Unauthorized,
                AnthropicErrorTypes.Authentication,
                "this dashboard link is wrong, expired or already used: run `anyclaude ui` for a new one",
                shouldRetry: false);
        }

        context.Response.Cookies.Append(DashboardAccess.CookieName, session, new CookieOptions
        {
            Path = "/ui",
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            IsEssential = true,
            MaxAge = DashboardAccess.SessionLifetime,
        });
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = "/ui";
        return Task.CompletedTask;
    }
}
