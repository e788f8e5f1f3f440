using System.Text.Json.Serialization;

namespace AnyClaude.Abstractions.Errors;

/// <summary>The <c>error</c> object of an Anthropic error answer or <c>event: error</c>.</summary>
public sealed record AnthropicError(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Anthropic error types and the HTTP status that goes with each.</summary>
public static class AnthropicErrorTypes
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";
    public const string Permission = "permission_error";
    public const string NotFound = "not_found_error";
    public const string RequestTooLarge = "request_too_large";
    public const string RateLimit = "rate_limit_error";
    public const string Api = "api_error";
    public const string Timeout = "timeout_error";
    public const string Overloaded = "overloaded_error";

    public static int StatusCodeOf(string type) => type switch
    {
        InvalidRequest => 400,
        Authentication => 401,
        Permission => 403,
        NotFound => 404,
        RequestTooLarge => 413,
        RateLimit => 429,
        Timeout => 504,
        Overloaded => 529,
        _ => 500,
    };

    public static string TypeOfStatus(int status) => status switch
    {
        400 or 422 => InvalidRequest,
        401 => Authentication,
        403 => Permission,
        404 => NotFound,
        413 => RequestTooLarge,
        429 => RateLimit,
        503 or 529 => Overloaded,
        504 => Timeout,
        _ => Api,
    };
}
