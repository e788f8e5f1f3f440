using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Http;

/// <summary>Refuses a request that is one of this proxy's own upstream requests coming back (see <see cref="HopHeader"/>).</summary>
internal sealed class HopLoopMiddleware(RequestDelegate next, AnyClaudeOptions options)
{
    /// <summary>HTTP 508 Loop Detected: the calling proxy maps it to an error Claude Code does not retry.</summary>
    public const int LoopStatus = 508;

    public Task InvokeAsync(HttpContext context)
    {
        string hops = context.Request.Headers[HopHeader.Name].ToString();
        if (hops.Length == 0)
        {
            HopHeader.Incoming = null;
            return next(context);
        }

        if (HopHeader.LoopingBackend(hops, out int count) is { } backend)
        {
            string url = options.Backends.TryGetValue(backend, out var settings) ? $" (url {settings.Url})" : "";
            throw new AnthropicException(
                AnthropicErrorTypes.Api,
                $"backend '{backend}'{url} points back at this anyclaude: its requests loop into the proxy itself; point it at the model server, or run anyclaude on another port",
                LoopStatus,
                shouldRetry: false);
        }

        if (count >= HopHeader.MaxHops)
        {
            throw new AnthropicException(AnthropicErrorTypes.Api, $"this request has passed through {count} anyclaude proxies already: a loop between them? ({HopHeader.Name}: {hops})", LoopStatus, shouldRetry: false);
        }

        HopHeader.Incoming = hops;
        return next(context);
    }
}
