using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnyClaude.LoadBench;

/// <summary>
/// Lean fake servers on 127.0.0.1: they drain the request body, look for the tool marker near its end, and write
/// pre-rendered frames back to back, flushing each one (so the client sees a stream, not one buffer).
/// </summary>
internal static class FakeServers
{
    private static readonly byte[] Models = """{"object":"list","data":[{"id":"bench-model","object":"model","created":1700000000,"owned_by":"bench"}]}"""u8.ToArray();

    /// <summary>An OpenAI-compatible backend: <c>POST /v1/chat/completions</c> streams; <c>GET /v1/models</c>, <c>GET /health</c>.</summary>
    public static Task<WebApplication> StartOpenAIAsync(int port = 0)
    {
        var text = Streams.OpenAI(tool: false);
        var tool = Streams.OpenAI(tool: true);
        return StartAsync(port, app =>
        {
            app.MapPost("/v1/chat/completions", async context =>
            {
                bool wantsTool = await DrainAsync(context.Request);
                await WriteFramesAsync(context.Response, wantsTool ? tool : text);
            });
            app.MapGet("/v1/models", context => WriteJsonAsync(context.Response, Models));
            app.MapGet("/health", context => WriteJsonAsync(context.Response, """{"status":"ok"}"""u8.ToArray()));
        });
    }

    /// <summary>The no-proxy limit: a fake Anthropic API that streams the same tokens itself.</summary>
    public static Task<WebApplication> StartAnthropicAsync(int port = 0)
    {
        var text = Streams.Anthropic(tool: false);
        var tool = Streams.Anthropic(tool: true);
        return StartAsync(port, app =>
        {
            app.MapPost("/v1/messages", async context =>
            {
                bool wantsTool = await DrainAsync(context.Request);
                await WriteFramesAsync(context.Response, wantsTool ? tool : text);
            });
        });
    }

    public static async Task<WebApplication> StartAsync(int port, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.UseRouting();
        map(app);
        await app.StartAsync();
        return app;
    }

    public static int Port(this WebApplication app) => new Uri(app.Urls.First()).Port;

    /// <summary>Reads the whole body (as a real server must) and reports whether it carries the tool marker.</summary>
    private static async Task<bool> DrainAsync(HttpRequest request)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            int length = 0;
            int read;
            var stream = request.Body;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length))) > 0)
            {
                length += read;
                if (length == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return buffer.AsSpan(0, length).IndexOf("PLEASE_CALL_A_TOOL"u8) >= 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteFramesAsync(HttpResponse response, byte[][] frames)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var pipe = response.BodyWriter;
        foreach (var frame in frames)
        {
            await pipe.WriteAsync(frame);
        }
    }

    private static async Task WriteJsonAsync(HttpResponse response, byte[] json)
    {
        response.ContentType = "application/json";
        await response.BodyWriter.WriteAsync(json);
    }
}
