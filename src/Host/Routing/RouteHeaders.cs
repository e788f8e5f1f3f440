using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Routing;

/// <summary>
/// <c>anyclaude-backend</c> and <c>anyclaude-model</c> on the answer, whatever it is (stream, JSON, count, error):
/// set as the response starts, so they name the backend that answered after any fallback.
/// </summary>
internal static class RouteHeaders
{
    public const string Backend = "anyclaude-backend";
    public const string Model = "anyclaude-model";

    public static void Attach(HttpContext context, RoutedRequest routed) =>
        context.Response.OnStarting(static state =>
        {
            var (response, routed) = ((HttpResponse, RoutedRequest))state;
            response.Headers[Backend] = routed.Backend;
            string model = routed.Model ?? routed.RequestedModel;
            // A header value must be visible ASCII; a model name that is not is left out rather than failing the answer.
            if (model.Length > 0 && model.All(c => c is >= ' ' and <= '~'))
            {
                response.Headers[Model] = model;
            }

            return Task.CompletedTask;
        }, (context.Response, routed));
}
