using System.Text.Encodings.Web;
using System.Text.Json;

namespace AnyClaude.Host.Http;

internal static class AnthropicJson
{
    /// <summary>Compact output: answers go to an API client, never into HTML.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
