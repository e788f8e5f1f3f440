using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using System.Text;
using Anthropic.Core;
using Anthropic;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Plugins;
using AnyClaude.Plugins.Exo;
using AnyClaude.Plugins.LlamaCpp;
using AnyClaude.Plugins.LmStudio;
using AnyClaude.Plugins.MlxLm;
using AnyClaude.Plugins.Vllm;
using AnyClaude.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests;

/// <summary>A fake OpenAI-compatible server of one flavor and the real proxy in front of it, both on loopback port 0.</summary>
internal sealed class ProxyHarness : IAsyncDisposable
{
    public static readonly IReadOnlyList<IBackendFactory> Factories = BackendFactories.From([new MlxLmPlugin(), new LmStudioPlugin(), new LlamaCppPlugin(), new VllmPlugin(), new ExoPlugin()]);

    private ProxyHarness(FakeOpenAIServer? fake, WebApplication app, AnyClaudeOptions options, Uri baseUrl)
    {
        FakeOrNull = fake;
        App = app;
        Options = options;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public FakeOpenAIServer Fake => FakeOrNull ?? throw new InvalidOperationException("This harness runs without a fake backend.");

    public FakeOpenAIServer? FakeOrNull { get; }

    public WebApplication App { get; }

    public AnyClaudeOptions Options { get; }

    /// <summary>The proxy's root, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    public string BackendName => Options.Mode;

    public BackendOptions Backend => Options.Backends[Options.Mode];

    public static string KindOf(ServerFlavor flavor) => flavor switch
    {
        ServerFlavor.MlxLm => "mlx-lm",
        ServerFlavor.LmStudio => "lmstudio",
        ServerFlavor.LlamaCpp => "llama-cpp",
        ServerFlavor.Vllm => "vllm",
        ServerFlavor.Exo => "exo",
        _ => "openai",
    };

    /// <summary>Starts a fake of <paramref name="flavor"/> (unless <paramref name="backendDown"/>: then the backend URL is a closed port) and the proxy.</summary>
    public static async Task<ProxyHarness> StartAsync(
        ServerFlavor flavor,
        Func<AnyClaudeOptions, AnyClaudeOptions>? configure = null,
        FakeServerOptions? fakeOptions = null,
        bool backendDown = false,
        Func<BackendOptions, BackendOptions>? configureBackend = null,
        TransformCatalog? transforms = null,
        Action<ILoggingBuilder>? logging = null,
        Action<WebApplication>? configureApp = null)
    {
        FakeOpenAIServer? fake = backendDown ? null : await FakeOpenAIServer.StartAsync(flavor, fakeOptions);
        try
        {
            string kind = KindOf(flavor);
            var backend = new BackendOptions { Name = kind, Kind = kind, Url = fake?.BaseUrl ?? new Uri($"http://127.0.0.1:{ClosedPort()}/v1") };
            backend = configureBackend?.Invoke(backend) ?? backend;
            var options = new AnyClaudeOptions
            {
                Mode = kind,
                Host = "127.0.0.1",
                Port = 0,
                TraceDirectory = Path.Combine(Path.GetTempPath(), "anyclaude-tests-traces"),
                Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase) { [kind] = backend },
            };
            options = configure?.Invoke(options) ?? options;
            var app = ProxyApp.Build(options, Factories, logging ?? (_ => { }), transforms: transforms);
            configureApp?.Invoke(app);
            await app.StartAsync();
            var address = ProxyApp.ListeningAddress(app);
            return new ProxyHarness(fake, app, options, new Uri($"http://127.0.0.1:{address.Port}/"));
        }
        catch
        {
            if (fake is not null)
            {
                await fake.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>A port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The official Anthropic SDK pointed at the proxy, without retries.</summary>
    public AnthropicClient CreateSdkClient() => new(new ClientOptions
    {
        BaseUrl = BaseUrl.AbsoluteUri.TrimEnd('/'),
        ApiKey = "sk-test",
        MaxRetries = 0,
        Timeout = TimeSpan.FromSeconds(30),
    });

    public Task<HttpResponseMessage> PostMessagesAsync(string json, string path = "/v1/messages", CancellationToken cancellationToken = default) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);

    /// <summary>A minimal valid Messages body.</summary>
    public static string SimpleBody(bool stream, string text = "Hi", int maxTokens = 256) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = maxTokens,
            ["stream"] = stream,
            ["messages"] = new[] { new { role = "user", content = text } },
        });

    /// <summary>Sends a normal non-streaming request and checks it succeeds: the proxy is still serving.</summary>
    public async Task AssertStillServingAsync()
    {
        FakeOrNull?.Enqueue(ScriptedResponse.Text("still here"));
        using var response = await PostMessagesAsync(SimpleBody(stream: false));
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("still here");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (FakeOrNull is not null)
        {
            await FakeOrNull.DisposeAsync();
        }
    }
}

/// <summary>Reads an Anthropic error body.</summary>
internal static class ErrorBodies
{
    public static async Task<(string Type, string Message)> ReadAsync(HttpResponseMessage response)
    {
        string body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        root.GetProperty("type").GetString().ShouldBe("error", body);
        var error = root.GetProperty("error");
        return (error.GetProperty("type").GetString()!, error.GetProperty("message").GetString()!);
    }
}
