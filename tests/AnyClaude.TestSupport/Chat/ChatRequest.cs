using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace AnyClaude.TestSupport;

/// <summary>The facts of a chat request body the fake server acts on.</summary>
internal sealed class ChatRequest
{
    private ChatRequest(JsonElement root, int bodyLength)
    {
        Root = root;
        BodyLength = bodyLength;
        Model = root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null;
        Stream = root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;
        IncludeUsage = root.TryGetProperty("stream_options", out var options)
            && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var include)
            && include.ValueKind == JsonValueKind.True;
    }

    /// <summary>The whole body (a standalone clone).</summary>
    public JsonElement Root { get; }

    /// <summary>The body's length in bytes; the default prompt-token estimate is a quarter of it.</summary>
    public int BodyLength { get; }

    /// <summary>The requested model, or null when absent.</summary>
    public string? Model { get; }

    /// <summary>Whether <c>"stream": true</c> was sent (false or absent means a non-streaming answer).</summary>
    public bool Stream { get; }

    /// <summary>Whether <c>stream_options.include_usage</c> is true.</summary>
    public bool IncludeUsage { get; }

    /// <summary>The default prompt-token estimate: body bytes / 4.</summary>
    public int EstimatedPromptTokens => BodyLength / 4;

    /// <summary>Parses a body; <paramref name="error"/> says why it is not a JSON object.</summary>
    public static bool TryParse(byte[] body, [NotNullWhen(true)] out ChatRequest? request, out string error)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                request = null;
                error = $"Request should be dict, but got {document.RootElement.ValueKind}";
                return false;
            }

            request = new ChatRequest(document.RootElement.Clone(), body.Length);
            error = "";
            return true;
        }
        catch (JsonException exception)
        {
            request = null;
            error = exception.Message;
            return false;
        }
    }
}
