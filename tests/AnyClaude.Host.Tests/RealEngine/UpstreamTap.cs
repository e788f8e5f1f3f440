using System.Collections.Concurrent;
using System.Net.Http.Headers;
using AnyClaude.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A wire tap between the proxy and the real server: every request is passed on unchanged and its answer streamed
/// back as it comes, and both are kept, so a test can read what the server itself said (its usage, timings, counts)
/// beside what the proxy made of it. It changes nothing: the server sees the proxy's bytes, the proxy the server's.
/// </summary>
internal sealed class UpstreamTap : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentQueue<TappedExchange> _exchanges = new();

    private UpstreamTap(WebApplication app, HttpClient upstream, Uri root)
    {
        _app = app;
        _upstream = upstream;
        Root = root;
    }

    /// <summary>The tap's root: a backend URL points here instead of at the server.</summary>
    public Uri Root { get; }

    public IReadOnlyList<TappedExchange> Exchanges => [.. _exchanges];

    /// <summary>The exchanges whose path ends with <paramref name="pathEnd"/> (e.g. <c>/chat/completions</c>), in order.</summary>
    public IReadOnlyList<TappedExchange> To(string pathEnd) =>
        [.. _exchanges.Where(e => e.Path.EndsWith(pathEnd, StringComparison.Ordinal))];

    public static async Task<UpstreamTap> StartAsync(Uri serverRoot)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var upstream = new HttpClient { BaseAddress = serverRoot, Timeout = Timeout.InfiniteTimeSpan };
        UpstreamTap? tap = null;
        app.Run(context => tap!.RelayAsync(context));
        await app.StartAsync();
        var address = ProxyApp.ListeningAddress(app);
        tap = new UpstreamTap(app, upstream, new Uri($"http://127.0.0.1:{address.Port}/"));
        return tap;
    }

    private async Task RelayAsync(HttpContext context)
    {
        using var requestBody = new MemoryStream();
        await context.Request.Body.CopyToAsync(requestBody, context.RequestAborted);
        string path = context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString.Value;
        using var message = new HttpRequestMessage(new HttpMethod(context.Request.Method), path);
        if (requestBody.Length > 0 || HttpMethods.IsPost(context.Request.Method))
        {
            message.Content = new ByteArrayContent(requestBody.ToArray());
            if (context.Request.ContentType is { } contentType)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        using var response = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } answerType)
        {
            context.Response.ContentType = answerType.ToString();
        }

        // Kept before the answer is relayed, and each chunk recorded before it goes on: whatever the proxy has received,
        // the exchange already holds, even when the proxy stops reading at the end of the stream (or goes away).
        var exchange = new TappedExchange(context.Request.Method, "/" + path, System.Text.Encoding.UTF8.GetString(requestBody.ToArray()), (int)response.StatusCode);
        _exchanges.Enqueue(exchange);
        await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            exchange.Append(buffer.AsSpan(0, read));
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}

/// <summary>One request the proxy made of the server and the server's answer, as text: as much of it as was relayed.</summary>
internal sealed class TappedExchange(string method, string path, string requestBody, int status)
{
    private readonly MemoryStream _answer = new();
    private readonly Lock _gate = new();

    public string Method => method;

    public string Path => path;

    public string RequestBody => requestBody;

    public int Status => status;

    public string ResponseBody
    {
        get
        {
            lock (_gate)
            {
                return System.Text.Encoding.UTF8.GetString(_answer.GetBuffer(), 0, (int)_answer.Length);
            }
        }
    }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        lock (_gate)
        {
            _answer.Write(chunk);
        }
    }
}
