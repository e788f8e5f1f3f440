using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport;

/// <summary>Reads a request completely and captures it as a <see cref="RecordedRequest"/>.</summary>
internal static class RequestRecorder
{
    public static async Task<RecordedRequest> RecordAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken).ConfigureAwait(false);

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(", ", values.ToArray());
        }

        var wasChunked = request.Headers.TransferEncoding
            .Any(value => value?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true);

        return new RecordedRequest(
            request.Method,
            request.Path.Value ?? "/",
            request.QueryString.Value ?? "",
            headers,
            body.ToArray(),
            HadContentLength: request.ContentLength.HasValue,
            WasChunked: wasChunked);
    }
}
