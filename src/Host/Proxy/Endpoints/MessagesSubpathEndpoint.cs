using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Http;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Endpoints;

/// <summary>
/// <c>POST /v1/messages/*</c> other than <c>count_tokens</c>: answered here, cheaply, and never sent to a model.
/// Claude Code 2.1.337 holds <c>POST /v1/messages/cache_touch</c> (a 30 s keep-alive of Anthropic's prompt cache,
/// behind a flag; protocol.md 1b): a local server keeps its prefix cache without it, so it is answered as done, and
/// Claude Code, which counts a 404 there as a cache record gone, keeps its cache bookkeeping. Any other path gets
/// Anthropic's 404 <c>not_found_error</c> naming it, with <c>x-should-retry: false</c>.
/// </summary>
internal static class MessagesSubpathEndpoint
{
    public const string CacheTouch = "cache_touch";

    public const string Pattern = "/v1/messages/{**operation}";

    public static Task HandleAsync(HttpContext context)
    {
        string operation = context.Request.RouteValues["operation"] as string ?? "";
        context.Response.Headers["request-id"] = RequestIds.Get(context);
        if (string.Equals(operation, CacheTouch, StringComparison.Ordinal))
        {
            return JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json =>
            {
                json.WriteStartObject();
                json.WriteString("type", CacheTouch);
                json.WriteEndObject();
            });
        }

        return ErrorResponses.WriteAsync(
            context,
            StatusCodes.Status404NotFound,
            AnthropicErrorTypes.NotFound,
            $"not found: POST /v1/messages/{operation} is not served by AnyClaude (it serves POST /v1/messages and POST /v1/messages/count_tokens); nothing was sent to a model",
            shouldRetry: false);
    }
}
