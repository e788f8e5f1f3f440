using System.Net;
using System.Text;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Plugins;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Plugins;

/// <summary>A temp folder of plugin folders, deleted afterwards.</summary>
internal sealed class TempPluginsFolder : IDisposable
{
    public TempPluginsFolder()
    {
        Root = Directory.CreateTempSubdirectory("anyclaude-plugin-test-").FullName;
        Path = System.IO.Path.Combine(Root, "plugins");
        Directory.CreateDirectory(Path);
    }

    public string Root { get; }

    public string Path { get; }

    public PluginManager CreateManager(TimeSpan? pollInterval = null) =>
        new([new PluginDirectory(Path, Required: true)], debounce: TimeSpan.FromMilliseconds(200), pollInterval: pollInterval ?? TimeSpan.FromSeconds(1),
            shadowRoot: System.IO.Path.Combine(Root, "shadow"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>The real proxy over a live plugin catalog, with one configured backend named <c>b</c>.</summary>
internal sealed class PluginProxy : IAsyncDisposable
{
    private PluginProxy(WebApplication app, HttpClient http)
    {
        App = app;
        Http = http;
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public static async Task<PluginProxy> StartAsync(IPluginCatalogSource plugins, string kind, Uri? url = null, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var options = new AnyClaudeOptions
        {
            Mode = "b",
            Host = "127.0.0.1",
            Port = 0,
            TraceDirectory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anyclaude-tests-traces"),
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["b"] = new() { Name = "b", Kind = kind, Url = url ?? new Uri("http://127.0.0.1:9/v1"), Extra = extra ?? new Dictionary<string, string?>() },
            },
        };
        var app = ProxyApp.Build(options, plugins, _ => { });
        await app.StartAsync();
        var address = ProxyApp.ListeningAddress(app);
        return new PluginProxy(app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{address.Port}/"), Timeout = TimeSpan.FromSeconds(30) });
    }

    public async Task<(HttpStatusCode Status, string Body)> AskAsync(string text = "Hi", bool stream = false)
    {
        using var response = await Http.PostAsync("/v1/messages", new StringContent(ProxyHarness.SimpleBody(stream, text), Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Asks until the answer contains <paramref name="expected"/> (the watcher has picked a change up), or fails after <paramref name="timeout"/>.</summary>
    public async Task<string> AskUntilAsync(string expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        (HttpStatusCode Status, string Body) last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await AskAsync();
            if (last.Status == HttpStatusCode.OK && last.Body.Contains(expected, StringComparison.Ordinal))
            {
                return last.Body;
            }

            await Task.Delay(100);
        }

        throw new ShouldAssertException($"no answer containing '{expected}' within {timeout}; last: {(int)last.Status} {last.Body}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Collects log lines.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add($"{logLevel}: {formatter(state, exception)}");
        }
    }
}

/// <summary>Hands out one logger for every category.</summary>
internal sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
