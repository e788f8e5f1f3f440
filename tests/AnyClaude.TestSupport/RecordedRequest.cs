using System.Text;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>One HTTP request exactly as the fake server received it, recorded before it was answered.</summary>
/// <param name="Method">HTTP method, e.g. <c>POST</c>.</param>
/// <param name="Path">Request path without the query, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Query">Query string including the leading <c>?</c>, or empty.</param>
/// <param name="Headers">Request headers (case-insensitive names; repeated values joined with <c>", "</c>).</param>
/// <param name="Body">Raw body bytes as received (after transfer decoding).</param>
/// <param name="HadContentLength">Whether the request carried a <c>Content-Length</c> header.</param>
/// <param name="WasChunked">Whether the request body used <c>Transfer-Encoding: chunked</c>.</param>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    bool HadContentLength,
    bool WasChunked)
{
    /// <summary>The body decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>Parses the body as JSON. The caller disposes the document.</summary>
    public JsonDocument Json() => JsonDocument.Parse(Body);

    /// <summary>A header's value, or null when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
