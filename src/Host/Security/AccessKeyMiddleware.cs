using System.Security.Cryptography;
using System.Text;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Http;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Security;

/// <summary>
/// When an access key is configured, every request must carry it as <c>x-api-key</c> or
/// <c>Authorization: Bearer</c>; otherwise 401 <c>authentication_error</c>. Left open: <c>HEAD /</c> and
/// <c>GET /</c> (Claude Code's preconnect, sent without credentials; they answer an empty 200) and
/// <c>GET /health/live</c> (says only that the process runs); a <c>/ui</c> request with a dashboard session is let in
/// (<see cref="DashboardAccessMiddleware"/>). The comparison takes the same time whatever
/// the presented key is (both sides are hashed to a fixed length, then compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>).
/// </summary>
internal sealed class AccessKeyMiddleware(RequestDelegate next, byte[] expectedHash)
{
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public Task InvokeAsync(HttpContext context)
    {
        if (IsOpen(context.Request) || Presents(context.Request, expectedHash) || DashboardAccess.IsAdmitted(context))
        {
            return next(context);
        }

        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status401Unauthorized,
            AnthropicErrorTypes.Authentication,
            "invalid or missing access key: send the proxy's key (ANYCLAUDE_API_KEY / apiKey) as x-api-key or Authorization: Bearer",
            shouldRetry: false);
    }

    private static bool IsOpen(HttpRequest request) =>
        (request.Path == "/" && (HttpMethods.IsHead(request.Method) || HttpMethods.IsGet(request.Method)))
        || (request.Path == "/health/live" && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)));

    private static bool Presents(HttpRequest request, byte[] expectedHash)
    {
        bool ok = false;
        foreach (var value in request.Headers["x-api-key"])
        {
            ok |= Matches(value, expectedHash);
        }

        foreach (var value in request.Headers.Authorization)
        {
            if (value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                ok |= Matches(value["Bearer ".Length..].Trim(), expectedHash);
            }
        }

        return ok;
    }

    private static bool Matches(string? presented, byte[] expectedHash) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Hash(presented), expectedHash);
}
