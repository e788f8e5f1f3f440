using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Plugins;
using AnyClaude.Plugins.AnthropicPassthrough;
using AnyClaude.Plugins.LlamaCpp;
using AnyClaude.TestSupport.RealEngine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// The real proxy (Kestrel on loopback port 0, in this process) in front of one or more real <c>llama-server</c>s: the
/// first backend is the default, <paramref name="routing"/> may give it fallbacks.
/// </summary>
internal sealed class ProxyOverRealEngine : IAsyncDisposable
{
    public static readonly IReadOnlyList<IBackendFactory> Factories = BackendFactories.From([new LlamaCppPlugin(), new AnthropicPassthroughPlugin()]);

    private ProxyOverRealEngine(WebApplication app, Uri baseUrl)
    {
        App = app;
        // A cold prefill on a loaded 2-core machine can take minutes.
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    /// <summary>A backend of <paramref name="kind"/> on <paramref name="server"/>: its <c>/v1</c> for <c>llama-cpp</c>, its root for <c>anthropic</c>.</summary>
    public static BackendOptions Backend(string name, string kind, RealLlamaServer server) =>
        new() { Name = name, Kind = kind, Url = kind == "anthropic" ? server.Root : server.V1 };

    public static async Task<ProxyOverRealEngine> StartAsync(
        IReadOnlyList<BackendOptions> backends,
        RoutingOptions? routing = null,
        Action<ILoggingBuilder>? logging = null)
    {
        var options = new AnyClaudeOptions
        {
            Mode = backends[0].Name,
            Host = "127.0.0.1",
            Port = 0,
            TraceDirectory = Path.Combine(Path.GetTempPath(), "anyclaude-tests-traces"),
            Backends = backends.ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase),
            Routing = routing ?? RoutingOptions.None,
        };
        var app = ProxyApp.Build(options, Factories, logging ?? (_ => { }));
        await app.StartAsync();
        var address = ProxyApp.ListeningAddress(app);
        return new ProxyOverRealEngine(app, new Uri($"http://127.0.0.1:{address.Port}/"));
    }

    public static RoutingOptions Fallbacks(string backend, params string[] next) => new()
    {
        Fallbacks = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { [backend] = next },
    };

    /// <summary>A Messages body with one user message.</summary>
    public static JsonObject Body(string text, bool stream, int maxTokens) => new()
    {
        ["model"] = "claude-sonnet-4-5",
        ["max_tokens"] = maxTokens,
        ["stream"] = stream,
        ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = text } },
    };

    /// <summary>
    /// About <paramref name="sentences"/> × 19 tokens of Qwen2.5's tokenizer (800 sentences ≈ 15.7k tokens): every
    /// sentence different, so nothing but a real cache makes a second prefill cheap.
    /// </summary>
    public static string LongPrompt(int sentences, string topic = "lake") =>
        string.Join(' ', Enumerable.Range(0, sentences).Select(i => $"The quick brown fox number {i} jumps over the lazy dog near {topic} {i % 41}."));

    /// <summary>Sends <paramref name="body"/> and returns once the response headers are in (the body is read by the caller).</summary>
    public async Task<HttpResponseMessage> SendAsync(JsonObject body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>The JSON of a non-streaming answer, checked to be a 200.</summary>
    public async Task<JsonDocument> AskAsync(JsonObject body)
    {
        using var response = await SendAsync(body);
        string text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, text);
        return JsonDocument.Parse(text);
    }

    public static string? BackendOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues(AnyClaude.Host.Proxy.Routing.RouteHeaders.Backend, out var values) ? values.Single() : null;

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; returns how long that took.</summary>
    public static async Task<TimeSpan> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        long started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(100);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
