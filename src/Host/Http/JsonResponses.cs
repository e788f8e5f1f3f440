using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Http;

/// <summary>Small JSON answers, written whole with a Content-Length.</summary>
internal static class JsonResponses
{
    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
        {
            write(json);
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
