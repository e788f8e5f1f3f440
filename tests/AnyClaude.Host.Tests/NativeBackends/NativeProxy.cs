using System.Text;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Plugins;
using AnyClaude.Plugins.AnthropicPassthrough;
using AnyClaude.Plugins.Ollama;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Tests.NativeBackends;

/// <summary>The real proxy (Kestrel on loopback port 0) in front of one backend of a native kind (ollama, anthropic) at <paramref name="url"/>.</summary>
internal sealed class NativeProxy : IAsyncDisposable
{
    public static readonly IReadOnlyList<IBackendFactory> Factories = BackendFactories.From([new AnthropicPassthroughPlugin(), new OllamaPlugin()]);

    private NativeProxy(WebApplication app, Uri baseUrl)
    {
        App = app;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public IBackend Backend => App.Services.GetRequiredService<BackendRegistry>().Selected;

    public static async Task<NativeProxy> StartAsync(string kind, Uri url, Func<BackendOptions, BackendOptions>? configure = null)
    {
        var backend = new BackendOptions { Name = kind, Kind = kind, Url = url };
        backend = configure?.Invoke(backend) ?? backend;
        var options = new AnyClaudeOptions
        {
            Mode = kind,
            Host = "127.0.0.1",
            Port = 0,
            TraceDirectory = Path.Combine(Path.GetTempPath(), "anyclaude-tests-traces"),
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase) { [kind] = backend },
        };
        var app = ProxyApp.Build(options, Factories, _ => { });
        await app.StartAsync();
        var address = ProxyApp.ListeningAddress(app);
        return new NativeProxy(app, new Uri($"http://127.0.0.1:{address.Port}/"));
    }

    public Task<HttpResponseMessage> PostAsync(string json, string path = "/v1/messages?beta=true") =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
