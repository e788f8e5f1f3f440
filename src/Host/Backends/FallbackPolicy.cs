using AnyClaude.Abstractions.Errors;

namespace AnyClaude.Host.Backends;

/// <summary>
/// Which failures before the first event send a request on to the next backend: the backend could not be reached
/// (refused, connect timeout: a 502 carrying the socket error), answered 5xx (500, 503 as 529), or sent nothing in
/// time (504). A 4xx-type answer (bad request, wrong key, model not loaded) is the request's or configuration's
/// problem and would fail the same way elsewhere, so it is answered as it is.
/// </summary>
internal static class FallbackPolicy
{
    public static bool ShouldFallBack(AnthropicException exception) =>
        exception.StatusCode is 500 or 503 or 504 or 529
        || (exception.StatusCode == 502 && exception.InnerException is not null);
}
