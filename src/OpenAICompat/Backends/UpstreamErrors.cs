using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;

namespace AnyClaude.OpenAICompat.Backends;

/// <summary>Turns what an OpenAI-compatible server answers, or fails to answer, into errors Claude Code can show and act on.</summary>
public static partial class UpstreamErrors
{
    private static readonly string[] ContextOverflowHints =
    [
        "context length", "context_length", "context size", "context window", "exceeds the available context",
        "exceed_context_size", "maximum context", "prompt token limit", "too many tokens", "prompt is too long", "n_ctx", "context overflow",
    ];

    /// <summary>How much of an upstream answer's body is read for an error message or a small JSON answer.</summary>
    public const int MaxBodyChars = UpstreamFailures.MaxBodyChars;

    /// <summary>
    /// The start of an upstream answer's body (<see cref="MaxBodyChars"/> characters at most), or a note saying why it
    /// could not be read: what an error message quotes, never more than that from a server that sends megabytes.
    /// </summary>
    public static Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        UpstreamFailures.ReadBodyAsync(response, cancellationToken);

    /// <summary>The backend could not be reached at all: say which, where, and what to start. Not worth retrying.</summary>
    public static AnthropicException Unreachable(string backendName, Uri url, string startHint, Exception exception) =>
        UpstreamFailures.Unreachable(backendName, url, startHint, exception);

    /// <summary>The connection to the backend broke after its answer had started (the server stopped or crashed): an in-stream error naming it and where.</summary>
    public static AnthropicException BrokeMidStream(string backendName, Uri url, Exception exception) =>
        UpstreamFailures.BrokeMidStream(backendName, url, exception);

    /// <summary>An HTTP error answer from the backend, mapped to the Anthropic status and type.</summary>
    public static AnthropicException FromStatus(string backendName, int status, string body) => FromStatus(backendName, status, body, baseUrl: null);

    /// <summary>
    /// An HTTP error answer from the backend at <paramref name="baseUrl"/>, mapped to the Anthropic status and type; a 404
    /// from a base URL without <c>/v1</c> says "did you mean …/v1?".
    /// </summary>
    public static AnthropicException FromStatus(string backendName, int status, string body, Uri? baseUrl)
    {
        string detail = ExtractMessage(body);
        if (IsContextOverflow(detail))
        {
            return AnthropicException.PromptTooLong($"{detail} (backend '{backendName}')");
        }

        string message = $"backend '{backendName}' answered HTTP {status}: {detail}";
        return status switch
        {
            400 or 422 => new AnthropicException(AnthropicErrorTypes.InvalidRequest, message, 400, shouldRetry: false),
            401 or 403 => new AnthropicException(AnthropicErrorTypes.Api, $"{message} (check the backend's API key setting)", 502, shouldRetry: false),
            404 => new AnthropicException(
                AnthropicErrorTypes.Api,
                baseUrl is not null && WithV1(baseUrl) is { } suggestion
                    ? $"{message} (the URL {baseUrl} has no /v1: did you mean {suggestion}?)"
                    : $"{message} (is the URL right, and is the model loaded?)",
                502,
                shouldRetry: false),
            408 or 504 => new AnthropicException(AnthropicErrorTypes.Timeout, message, 504),
            429 => new AnthropicException(AnthropicErrorTypes.RateLimit, message, 429),
            503 => new AnthropicException(AnthropicErrorTypes.Overloaded, message, 529),
            508 => new AnthropicException(AnthropicErrorTypes.Api, message, 502, shouldRetry: false), // Loop Detected: anyclaude behind itself
            _ => new AnthropicException(AnthropicErrorTypes.Api, message, 500),
        };
    }

    /// <summary>The readable part of an error body: <c>{"error":"…"}</c>, <c>{"error":{"message":"…"}}</c>, <c>{"message":"…"}</c>, <c>{"detail":"…"}</c> or the text itself.</summary>
    public static string ExtractMessage(string body)
    {
        string trimmed = body.Trim();
        if (trimmed.Length == 0)
        {
            return "(empty body)";
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (ReadOnlySpan<string>)["error", "message", "detail"])
                {
                    if (root.TryGetProperty(name, out var value))
                    {
                        return value.ValueKind switch
                        {
                            JsonValueKind.String => value.GetString()!,
                            JsonValueKind.Object when value.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.String => inner.GetString()!,
                            _ => value.GetRawText(),
                        };
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return trimmed.Length > 2000 ? trimmed[..2000] + "…" : trimmed;
    }

    /// <summary>The base URL with <c>/v1</c> added when its path has no <c>v1</c> segment (OpenAI-compatible servers serve under it), else null.</summary>
    public static Uri? WithV1(Uri baseUrl)
    {
        if (baseUrl.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Contains("v1", StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return new UriBuilder(baseUrl) { Path = baseUrl.AbsolutePath.TrimEnd('/') + "/v1" }.Uri;
    }

    /// <summary>
    /// From vLLM's (and look-alikes') "'max_tokens' or 'max_completion_tokens' is too large: N. This model's maximum context
    /// length is M tokens and your request has P input tokens": the room left for the answer, M − P, when there is any.
    /// </summary>
    public static int? RoomForOutput(string message)
    {
        var match = OutputTooLarge().Match(message);
        return match.Success
            && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int window)
            && int.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int prompt)
            && window > prompt
                ? window - prompt
                : null;
    }

    public static bool IsContextOverflow(string message) =>
        ContextOverflowHints.Any(hint => message.Contains(hint, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"is too large: \d+\. This model's maximum context length is (\d+) tokens and your request has (\d+) input tokens")]
    private static partial Regex OutputTooLarge();
}
