using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>Several fake backends (real HTTP servers on loopback), each answering with its own name, and the real proxy in front.</summary>
internal sealed class MultiBackendProxy : IAsyncDisposable
{
    private readonly Dictionary<string, FakeOpenAIServer> _fakes;

    private MultiBackendProxy(Dictionary<string, FakeOpenAIServer> fakes, WebApplication app, AnyClaudeOptions options, Uri baseUrl)
    {
        _fakes = fakes;
        App = app;
        Options = options;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public AnyClaudeOptions Options { get; }

    public HttpClient Http { get; }

    public FakeOpenAIServer this[string backend] => _fakes[backend];

    /// <summary>
    /// Starts a fake per name in <paramref name="running"/> and the proxy with every backend of <paramref name="urls"/>
    /// (a name with no running fake needs its URL there: a closed port, a stalled listener).
    /// </summary>
    public static async Task<MultiBackendProxy> StartAsync(
        string mode,
        string[] running,
        IReadOnlyDictionary<string, Uri>? urls = null,
        RoutingOptions? routing = null,
        Func<AnyClaudeOptions, AnyClaudeOptions>? configure = null,
        Action<Microsoft.Extensions.Logging.ILoggingBuilder>? logging = null)
    {
        var fakes = new Dictionary<string, FakeOpenAIServer>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in running)
        {
            var fake = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic, new FakeServerOptions { Models = [$"{name}-model-a", $"{name}-model-b"] });
            fake.RespondWith(_ => ScriptedResponse.Text($"answer from {name}"));
            fakes[name] = fake;
        }

        var backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, fake) in fakes)
        {
            backends[name] = new BackendOptions { Name = name, Kind = "openai", Url = fake.BaseUrl };
        }

        foreach (var (name, url) in urls ?? new Dictionary<string, Uri>())
        {
            backends[name] = new BackendOptions { Name = name, Kind = "openai", Url = url, Model = $"{name}-model-a" };
        }

        var options = new AnyClaudeOptions
        {
            Mode = mode,
            Host = "127.0.0.1",
            Port = 0,
            Backends = backends,
            Routing = routing ?? RoutingOptions.None,
            HeartbeatInterval = TimeSpan.FromSeconds(5),
        };
        options = configure?.Invoke(options) ?? options;
        var app = ProxyApp.Build(options, ProxyHarness.Factories, logging ?? (_ => { }));
        await app.StartAsync();
        var address = ProxyApp.ListeningAddress(app);
        return new MultiBackendProxy(fakes, app, options, new Uri($"http://127.0.0.1:{address.Port}/"));
    }

    public static RoutingOptions Fallbacks(string backend, params string[] next) => new()
    {
        Fallbacks = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { [backend] = next },
    };

    public Task<HttpResponseMessage> PostAsync(JsonObject body, string path = "/v1/messages", CancellationToken cancellationToken = default) =>
        Http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);

    public static JsonObject Simple(string model = "claude-opus-5-5", bool stream = false) => new()
    {
        ["model"] = model,
        ["max_tokens"] = 256,
        ["stream"] = stream,
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = "Say something" } },
    };

    /// <summary>The answer's text: the text deltas of a stream joined, or a JSON message's body as it is.</summary>
    public static string TextOf(string body)
    {
        if (!body.StartsWith("event:", StringComparison.Ordinal))
        {
            return body;
        }

        var text = new StringBuilder();
        foreach (var (_, data) in SseReader.Parse(body))
        {
            using var json = System.Text.Json.JsonDocument.Parse(data);
            if (json.RootElement.TryGetProperty("delta", out var delta) && delta.TryGetProperty("text", out var piece))
            {
                text.Append(piece.GetString());
            }
        }

        return text.ToString();
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    public static string? BackendOf(HttpResponseMessage response) => Header(response, RouteHeaders.Backend);

    /// <summary>The upstream model the fake was asked for in its last chat request.</summary>
    public string LastUpstreamModel(string backend)
    {
        using var json = _fakes[backend].LastChatRequest.Json();
        return json.RootElement.GetProperty("model").GetString()!;
    }

    public async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? json = null)
    {
        using var message = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            message.Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        return await Http.SendAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        foreach (var fake in _fakes.Values)
        {
            await fake.DisposeAsync();
        }
    }
}
