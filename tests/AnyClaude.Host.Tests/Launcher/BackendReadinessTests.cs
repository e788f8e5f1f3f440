using System.Net;
using System.Text;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Cli.Launcher;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Tests.Launcher;

/// <summary>
/// Issue 24, point 8, on a terminal: a default backend that is down is named with its URL and start hint, and the
/// launcher waits a few seconds for it; a server that comes up meanwhile is said to answer, and the wait ends there.
/// </summary>
public sealed class BackendReadinessTests
{
    [Fact]
    public async Task On_a_terminal_it_waits_for_a_server_that_comes_up_and_says_so()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Generic, backendDown: true, configure: o => o with { HealthCheckInterval = TimeSpan.Zero });
        var url = proxy.Backend.Url;
        var backend = proxy.App.Services.GetRequiredService<BackendRegistry>().Get(proxy.BackendName);
        var output = new StringWriter();
        var error = TextWriter.Synchronized(output);

        var check = BackendReadiness.CheckAsync(backend, proxy.App.Services.GetRequiredService<BackendProber>(), error, onTerminal: true, TimeProvider.System, CancellationToken.None);
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !output.ToString().Contains("waiting up to", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(20); await Task.Delay(20))
        {
        }

        using var server = new HttpListener();
        server.Prefixes.Add($"http://127.0.0.1:{url.Port}/");
        server.Start();
        var serving = ServeModelsAsync(server);
        await check;

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith($"anyclaude: backend '{proxy.BackendName}' at {url} refused the connection: is the OpenAI-compatible server");
        lines[1].ShouldBe("anyclaude: waiting up to 5 s for it, then starting Claude Code anyway (its requests fail until the server answers)");
        lines[^1].ShouldBe($"anyclaude: backend '{proxy.BackendName}' answers now");
        server.Stop();
        await serving;
    }

    private static async Task ServeModelsAsync(HttpListener server)
    {
        try
        {
            while (server.IsListening)
            {
                var context = await server.GetContextAsync();
                byte[] body = Encoding.UTF8.GetBytes("""{"object":"list","data":[{"id":"m","object":"model"}]}""");
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }
        catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
        {
            // Stopped.
        }
    }
}
