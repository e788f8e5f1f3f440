using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Routing;

/// <summary>
/// <c>anyclaude-backend</c> and <c>anyclaude-model</c> on the answer, whatever it is (stream, JSON, count, error):
/// set as the response starts, so they name the backend that answered after any fallback. A prompt that was counted
/// adds <c>anyclaude-prompt-tokens</c> and <c>anyclaude-token-count</c> (where the figure comes from: <c>server</c>,
/// <c>tokenizer</c>, <c>calibrated-estimate</c> or <c>estimate</c>).
/// </summary>
internal static class RouteHeaders
{
    public const string Backend = "anyclaude-backend";
    public const string Model = "anyclaude-model";
    public const string PromptTokens = "anyclaude-prompt-tokens";
    public const string TokenCountSource = "anyclaude-token-count";

    public static void Attach(HttpContext context, RoutedRequest routed) =>
        context.Response.OnStarting(static state =>
        {
            var (response, routed) = ((HttpResponse, RoutedRequest))state;
            response.Headers[Backend] = routed.Backend;
            if (routed.PromptTokens is { } counted)
            {
                response.Headers[PromptTokens] = counted.Tokens.ToString(System.Globalization.CultureInfo.InvariantCulture);
                response.Headers[TokenCountSource] = counted.SourceName;
            }

            string model = routed.Model ?? routed.RequestedModel;
            // A header value must be visible ASCII; a model name that is not is left out rather than failing the answer.
            if (model.Length > 0 && model.All(c => c is >= ' ' and <= '~'))
            {
                response.Headers[Model] = model;
            }

            return Task.CompletedTask;
        }, (context.Response, routed));
}
