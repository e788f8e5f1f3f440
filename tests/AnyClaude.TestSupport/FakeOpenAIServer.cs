using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.TestSupport;

/// <summary>
/// A scripted fake of an OpenAI-compatible model server: a real Kestrel server on <c>127.0.0.1</c> and a free
/// port, answering the way the chosen <see cref="ServerFlavor"/> does, quirks included (protocol.md §3–§4).
/// Chat answers come from <see cref="Enqueue"/>d scripts, first in first out.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerState _state;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private FakeOpenAIServer(ServerFlavor flavor, FakeServerOptions options, WebApplication app, ServerState state, CancellationTokenSource stopping, Uri rootUrl)
    {
        Flavor = flavor;
        Options = options;
        _app = app;
        _state = state;
        _stopping = stopping;
        RootUrl = rootUrl;
        BaseUrl = new Uri(rootUrl, "v1");
    }

    public ServerFlavor Flavor { get; }

    public FakeServerOptions Options { get; }

    /// <summary>The OpenAI base URL, e.g. <c>http://127.0.0.1:PORT/v1</c> (no trailing slash).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:PORT/</c>, for <c>/health</c>, <c>/props</c>, <c>/api/v0/models</c>.</summary>
    public Uri RootUrl { get; }

    /// <summary>The port the server listens on.</summary>
    public int Port => RootUrl.Port;

    /// <summary>Every request received so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _state.Requests;

    /// <summary>The chat requests received so far (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> ChatRequests =>
        [.. _state.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/chat/completions", StringComparison.Ordinal))];

    /// <summary>The last <c>POST …/chat/completions</c>, answered or refused. Throws when there was none.</summary>
    public RecordedRequest LastChatRequest =>
        _state.LastChatRequest ?? throw new InvalidOperationException("The fake server has not received a chat request yet.");

    /// <summary>Chat streams being written right now.</summary>
    public int ActiveStreams => _state.ActiveStreams;

    /// <summary>Streams whose client went away before the end (RequestAborted fired).</summary>
    public int AbortedStreams => _state.AbortedStreams;

    /// <summary>Streams written to the end.</summary>
    public int CompletedStreams => _state.CompletedStreams;

    /// <summary>Streams cut on purpose by <see cref="ScriptedResponse.BreakAfterChunks"/>.</summary>
    public int BrokenStreams => _state.BrokenStreams;

    /// <summary>Scripts enqueued and not yet used.</summary>
    public int PendingScripts => _state.PendingScripts;

    /// <summary>Starts a server of that flavor on <c>http://127.0.0.1:0</c> and returns once it listens.</summary>
    public static async Task<FakeOpenAIServer> StartAsync(ServerFlavor flavor, FakeServerOptions? options = null)
    {
        options ??= new FakeServerOptions();
        var dialect = CreateDialect(flavor, options);
        var state = new ServerState { KeepHistory = options.RecordRequests };
        var stopping = new CancellationTokenSource();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // Nothing from the environment or an appsettings.json next to the tests (ASPNETCORE_URLS, Kestrel endpoints…).
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
        var router = new FakeServerRouter(dialect, state, stopping.Token);
        app.Run(router.InvokeAsync);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }

        var address = new Uri(app.Urls.Single());
        var rootUrl = new Uri($"http://127.0.0.1:{address.Port}/");
        return new FakeOpenAIServer(flavor, options, app, state, stopping, rootUrl);
    }

    /// <summary>Queues the answer to a future chat request. Without any, the answer is <c>Text("Hello from the fake backend.")</c>.</summary>
    public void Enqueue(ScriptedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        _state.Enqueue(response);
    }

    /// <summary>
    /// Answers chosen from each request (e.g. by its prompt), for concurrent requests whose arrival order is unknown.
    /// When it returns null, the queue (or the default answer) is used.
    /// </summary>
    public void RespondWith(Func<RecordedRequest, ScriptedResponse?>? responder) => _state.Responder = responder;

    /// <summary>Queues several answers in order.</summary>
    public void Enqueue(params ScriptedResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        foreach (var response in responses)
        {
            Enqueue(response);
        }
    }

    /// <summary>
    /// The next chat request not yet returned by this method, in arrival order: one that already arrived is
    /// returned at once. Throws <see cref="TimeoutException"/> when none arrives in time.
    /// </summary>
    public async Task<RecordedRequest> WaitForChatRequestAsync(TimeSpan timeout)
    {
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            return await _state.NextChatRequestAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            throw new TimeoutException($"No chat request reached the fake {Flavor} server within {timeout}.");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked every 10 ms); throws <see cref="TimeoutException"/> otherwise.</summary>
    public async Task WaitUntilAsync(Func<FakeOpenAIServer, bool> condition, TimeSpan timeout, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The fake {Flavor} server did not reach '{what ?? "the expected state"}' within {timeout} "
                    + $"(active {ActiveStreams}, aborted {AbortedStreams}, completed {CompletedStreams}, broken {BrokenStreams}).");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> streams were aborted by their client.</summary>
    public Task WaitForAbortedStreamsAsync(int count, TimeSpan timeout) =>
        WaitUntilAsync(server => server.AbortedStreams >= count, timeout, $"{count} aborted stream(s)");

    /// <summary>Stops the server: hanging or delayed answers end at once, then Kestrel shuts down.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _state.Complete();
            _stopping.Dispose();
        }
    }

    public override string ToString() => $"Fake {Flavor} server at {BaseUrl}";

    private static FlavorDialect CreateDialect(ServerFlavor flavor, FakeServerOptions options) => flavor switch
    {
        ServerFlavor.MlxLm => new MlxLmDialect(options),
        ServerFlavor.LmStudio => new LmStudioDialect(options),
        ServerFlavor.Generic => new GenericDialect(options),
        ServerFlavor.LlamaCpp => new LlamaCppDialect(options),
        ServerFlavor.Vllm => new VllmDialect(options),
        ServerFlavor.Exo => new ExoDialect(options),
        _ => throw new ArgumentOutOfRangeException(nameof(flavor), flavor, "Unknown server flavor."),
    };
}
