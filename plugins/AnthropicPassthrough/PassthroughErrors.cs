using System.Text.Json;
using AnyClaude.Abstractions.Errors;
using AnyClaude.OpenAICompat.Backends;

namespace AnyClaude.Plugins.AnthropicPassthrough;

/// <summary>
/// What the server's error answers become for Claude Code. An Anthropic-shaped error (<c>{"type":"error","error":{…}}</c>)
/// keeps its type, message and status, except that an authentication failure is the backend's key, not Claude Code's
/// (a 401 would make Claude Code ask the user to log in): that one is a 502 naming the setting. Anything else is mapped
/// like the OpenAI-compatible backends' errors, and a 404 without an Anthropic body means the server has no
/// <c>/v1/messages</c> at all.
/// </summary>
internal static class PassthroughErrors
{
    public static AnthropicException FromStatus(string backendName, Uri baseUrl, int status, string body)
    {
        if (ReadAnthropicError(body) is not { } error)
        {
            return status == 404
                ? new AnthropicException(
                    AnthropicErrorTypes.Api,
                    $"backend '{backendName}' at {baseUrl} has no Anthropic Messages endpoint (HTTP 404 for /v1/messages: {UpstreamErrors.ExtractMessage(body)}); "
                    + "it needs a server that speaks it (LM Studio 0.4.1+, Ollama 0.14+, llama.cpp, vLLM, exo) and its root URL, without /v1",
                    502,
                    shouldRetry: false)
                : UpstreamErrors.FromStatus(backendName, status, body);
        }

        if (status is 401 or 403 || error.Type is AnthropicErrorTypes.Authentication or AnthropicErrorTypes.Permission)
        {
            return new AnthropicException(
                AnthropicErrorTypes.Api,
                $"backend '{backendName}' refused the request (HTTP {status}): {error.Message} (check the backend's API key setting)",
                502,
                shouldRetry: false);
        }

        if (UpstreamErrors.IsContextOverflow(error.Message) && !error.Message.StartsWith("prompt is too long", StringComparison.Ordinal))
        {
            return AnthropicException.PromptTooLong($"{error.Message} (backend '{backendName}')");
        }

        int mapped = status is >= 400 and < 600 ? (status == 503 ? 529 : status) : AnthropicErrorTypes.StatusCodeOf(error.Type);
        return new AnthropicException(error.Type, error.Message, mapped, shouldRetry: mapped >= 500 || mapped == 429);
    }

    /// <summary>An error that arrived as <c>event: error</c> in the middle of the answer.</summary>
    public static AnthropicException FromStreamError(string backendName, AnthropicError error) =>
        new(error.Type, $"backend '{backendName}': {error.Message}");

    /// <summary>The <c>error</c> of an Anthropic error body, or null when the body is not one.</summary>
    public static AnthropicError? ReadAnthropicError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return new AnthropicError(type.GetString()!, message.GetString()!);
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
