namespace AnyClaude.Abstractions.Errors;

/// <summary>
/// A failure that reaches the client as an Anthropic error: an HTTP error answer when nothing has been
/// streamed yet, an <c>event: error</c> after. Backends throw it with a message that says what to do.
/// </summary>
public sealed class AnthropicException : Exception
{
    public AnthropicException(string errorType, string message, int? statusCode = null, bool shouldRetry = true, Exception? inner = null)
        : base(message, inner)
    {
        ErrorType = errorType;
        StatusCode = statusCode ?? AnthropicErrorTypes.StatusCodeOf(errorType);
        ShouldRetry = shouldRetry;
    }

    public string ErrorType { get; }

    public int StatusCode { get; }

    /// <summary>False sends <c>x-should-retry: false</c>, so Claude Code reports at once instead of retrying for minutes.</summary>
    public bool ShouldRetry { get; }

    public AnthropicError ToError() => new(ErrorType, Message);

    public static AnthropicException InvalidRequest(string message) =>
        new(AnthropicErrorTypes.InvalidRequest, message, shouldRetry: false);

    /// <summary>A context overflow in the form Claude Code recognises (it then compacts the conversation).</summary>
    public static AnthropicException PromptTooLong(string detail) =>
        new(AnthropicErrorTypes.InvalidRequest, $"prompt is too long: {detail}", shouldRetry: false);
}
