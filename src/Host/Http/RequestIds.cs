using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Http;

/// <summary>A <c>req_…</c> id per request, sent back in the <c>request-id</c> header like Anthropic's API does.</summary>
internal static class RequestIds
{
    private const string Key = "anyclaude.request-id";

    /// <summary>The request's id if one was given out (only endpoints that need one ask for it).</summary>
    public static string? Find(HttpContext context) => context.Items.TryGetValue(Key, out var value) ? value as string : null;

    public static string Get(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var value) && value is string id)
        {
            return id;
        }

        id = $"req_{Guid.NewGuid():N}";
        context.Items[Key] = id;
        if (!context.Response.HasStarted)
        {
            context.Response.Headers["request-id"] = id;
        }

        return id;
    }
}
