using AnyClaude.Abstractions.Errors;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Http;

/// <summary>Writes Anthropic-shaped error answers: <c>{"type":"error","error":{…},"request_id":…}</c>.</summary>
internal static class ErrorResponses
{
    public static Task WriteAsync(HttpContext context, AnthropicException exception) =>
        WriteAsync(context, exception.StatusCode, exception.ErrorType, exception.Message, exception.ShouldRetry);

    public static Task WriteAsync(HttpContext context, int status, string type, string message, bool shouldRetry = true)
    {
        string requestId = RequestIds.Get(context);
        context.Response.Headers["request-id"] = requestId;
        if (!shouldRetry)
        {
            context.Response.Headers["x-should-retry"] = "false";
        }

        return JsonResponses.WriteAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteStartObject("error");
            json.WriteString("type", type);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteString("request_id", requestId);
            json.WriteEndObject();
        });
    }
}
