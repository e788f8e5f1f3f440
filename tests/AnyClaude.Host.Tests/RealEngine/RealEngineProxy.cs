using System.Net;
using System.Text.Json;
using System.Text;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Plugins;
using AnyClaude.Plugins.AnthropicPassthrough;
using AnyClaude.Plugins.LlamaCpp;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A real llama-server, a wire tap in front of it (<see cref="UpstreamTap"/>) and a real anyclaude (Kestrel on loopback)
/// with one backend of the given kind pointed at the tap: what the proxy answers and what the server said, side by side.
/// </summary>
internal sealed class RealEngineProxy : IAsyncDisposable
{
    public static readonly IReadOnlyList<Abstractions.Backends.IBackendFactory> Factories =
        BackendFactories.From([new LlamaCppPlugin(), new AnthropicPassthroughPlugin()]);

    private RealEngineProxy(RealLlamaServer server, UpstreamTap tap, WebApplication app, Uri root, string backendName)
    {
        Server = server;
        Tap = tap;
        App = app;
        BackendName = backendName;
        Http = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromMinutes(5) };
    }

    public RealLlamaServer Server { get; }

    public UpstreamTap Tap { get; }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public string BackendName { get; }

    public Abstractions.Backends.IBackend Backend => App.Services.GetRequiredService<BackendRegistry>().Get(BackendName);

    public static string KindName(EngineKind kind) => kind switch
    {
        EngineKind.LlamaCpp => "llama-cpp",
        EngineKind.OpenAI => "openai",
        _ => "anthropic",
    };

    /// <summary>The path of the server's answer to a Messages request through this kind.</summary>
    public static string AnswerPath(EngineKind kind) => kind == EngineKind.Anthropic ? "/v1/messages" : "/v1/chat/completions";

    /// <summary><c>-c 65536 --parallel 2</c> by default: 32,768 tokens a slot.</summary>
    public static async Task<RealEngineProxy> StartAsync(EngineKind kind, LlamaServerOptions? serverOptions = null, Func<BackendOptions, BackendOptions>? configure = null)
    {
        var server = await RealLlamaServer.StartAsync(serverOptions ?? new LlamaServerOptions { Parallel = 2 });
        UpstreamTap? tap = null;
        try
        {
            tap = await UpstreamTap.StartAsync(server.Root);
            string name = KindName(kind);
            var url = kind == EngineKind.Anthropic ? tap.Root : new Uri(tap.Root, "v1");
            var backend = new BackendOptions { Name = name, Kind = name, Url = url };
            backend = configure?.Invoke(backend) ?? backend;
            var options = new AnyClaudeOptions
            {
                Mode = name,
                Host = "127.0.0.1",
                Port = 0,
                TraceDirectory = Path.Combine(Path.GetTempPath(), "anyclaude-tests-traces"),
                Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase) { [name] = backend },
            };
            var app = ProxyApp.Build(options, Factories, _ => { });
            await app.StartAsync();
            var address = ProxyApp.ListeningAddress(app);
            return new RealEngineProxy(server, tap, app, new Uri($"http://127.0.0.1:{address.Port}/"), name);
        }
        catch
        {
            if (tap is not null)
            {
                await tap.DisposeAsync();
            }

            await server.DisposeAsync();
            throw;
        }
    }

    public Task<HttpResponseMessage> PostAsync(string json, string path = "/v1/messages?beta=true") =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Sends a streamed Messages request and reads the whole answer; fails the test on anything but a complete 200 stream.</summary>
    public async Task<ProxyAnswer> StreamAsync(string json)
    {
        using var response = await PostAsync(json);
        string sse = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, sse + "\n" + Server.Output);
        var events = SseReader.Parse(sse);
        events.ShouldContain(e => e.Event == "message_stop", sse + "\n" + Server.Output);
        return new ProxyAnswer(events);
    }

    /// <summary><c>POST /v1/messages/count_tokens</c> through the proxy.</summary>
    public async Task<int> CountTokensAsync(string json)
    {
        using var response = await PostAsync(json, "/v1/messages/count_tokens?beta=true");
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("input_tokens").GetInt32();
    }

    /// <summary>The proxy's <c>/admin/status</c>.</summary>
    public async Task<JsonDocument> StatusAsync()
    {
        using var response = await Http.GetAsync("/admin/status");
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Tap.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>The proxy's streamed answer: its text and the usage of its <c>message_start</c> and <c>message_delta</c>.</summary>
internal sealed record ProxyAnswer(List<(string? Event, string Data)> Events)
{
    public string Text => string.Concat(Events
        .Where(e => e.Event == "content_block_delta")
        .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta"))
        .Where(d => d.GetProperty("type").GetString() == "text_delta")
        .Select(d => d.GetProperty("text").GetString()));

    public JsonElement StartUsage => JsonDocument.Parse(Events.First(e => e.Event == "message_start").Data).RootElement.GetProperty("message").GetProperty("usage");

    public JsonElement FinalUsage => JsonDocument.Parse(Events.Last(e => e.Event == "message_delta").Data).RootElement.GetProperty("usage");

    /// <summary>The prompt as the final usage gives it: <c>input_tokens + cache_read_input_tokens</c>.</summary>
    public int PromptTokens => FinalUsage.GetProperty("input_tokens").GetInt32() + CachedTokens;

    public int CachedTokens => FinalUsage.GetProperty("cache_read_input_tokens").GetInt32();
}
