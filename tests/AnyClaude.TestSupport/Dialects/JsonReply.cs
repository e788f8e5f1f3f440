using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport;

/// <summary>A complete, non-streamed HTTP answer: status, body bytes and content type.</summary>
internal sealed record JsonReply(int Status, byte[] Body, string ContentType = "application/json")
{
    /// <summary>A reply whose body is written with <see cref="Utf8JsonWriter"/>.</summary>
    public static JsonReply Json(int status, JsonWriterOptions options, Action<Utf8JsonWriter> write) =>
        new(status, JsonBytes(options, write));

    /// <summary>A reply with a verbatim body.</summary>
    public static JsonReply Raw(int status, string body, string contentType = "application/json") =>
        new(status, Encoding.UTF8.GetBytes(body), contentType);

    /// <summary>Serializes one JSON value to bytes.</summary>
    public static byte[] JsonBytes(JsonWriterOptions options, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sends the reply with a Content-Length.</summary>
    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = Status;
        response.ContentType = ContentType;
        response.ContentLength = Body.Length;
        await response.Body.WriteAsync(Body, cancellationToken).ConfigureAwait(false);
    }
}
