using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.TestSupport.NativeServers;

/// <summary>
/// The real-HTTP part of the native-API fakes (Ollama, Anthropic Messages servers): Kestrel on <c>127.0.0.1</c> and a
/// free port, every request recorded before the fake's handler answers it.
/// </summary>
public sealed class LoopbackFakeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests;

    private LoopbackFakeHost(WebApplication app, ConcurrentQueue<RecordedRequest> requests, Uri rootUrl)
    {
        _app = app;
        _requests = requests;
        RootUrl = rootUrl;
    }

    public Uri RootUrl { get; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<LoopbackFakeHost> StartAsync(Func<HttpContext, RecordedRequest, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0);
        });

        var app = builder.Build();
        var requests = new ConcurrentQueue<RecordedRequest>();
        app.Run(async context =>
        {
            var recorded = await RequestRecorder.RecordAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
            requests.Enqueue(recorded);
            await handler(context, recorded).ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        var address = new Uri(app.Urls.Single());
        return new LoopbackFakeHost(app, requests, new Uri($"http://127.0.0.1:{address.Port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
