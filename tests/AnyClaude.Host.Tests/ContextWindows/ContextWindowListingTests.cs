using System.Text.Json;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static AnyClaude.Host.Tests.Backends.BackendKindKit;

namespace AnyClaude.Host.Tests.ContextWindows;

/// <summary>Where the user sees each backend's window: <c>anyclaude plugins</c> and <c>anyclaude status</c>.</summary>
public sealed class ContextWindowListingTests
{
    [Fact]
    public async Task Plugins_lists_each_window_and_where_it_comes_from()
    {
        await using var lmStudio = await FakeOpenAIServer.StartAsync(ServerFlavor.LmStudio, new FakeServerOptions { ContextLength = 131072, LoadedContextLength = 8192 });
        var options = new AnyClaudeOptions
        {
            Mode = "studio",
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["studio"] = new() { Name = "studio", Kind = "lmstudio", Url = lmStudio.BaseUrl },
                ["mac"] = new() { Name = "mac", Kind = "mlx-lm", Url = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1"), ContextLength = 16384 },
                ["gone"] = new() { Name = "gone", Kind = "lmstudio", Url = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1") },
            },
        };
        using var backends = new BackendRegistry(options, ProxyHarness.Factories, NullLoggerFactory.Instance, TimeProvider.System);
        using var output = new StringWriter();

        ContextListing.Write(options, backends, output);

        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        lines.ShouldContain("studio: 8,192 tokens (reported by the server); answers up to 16,384 tokens");
        lines.ShouldContain("mac: 16,384 tokens (configured); answers up to 16,384 tokens");
        lines.ShouldContain("gone: unknown (the server did not say; set contextLength for this backend); answers up to 16,384 tokens");
    }

    [Fact]
    public async Task Status_reports_the_window_once_it_is_known()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { ContextLength = 24576 });
        await DiscoverAsync(proxy);

        using var status = JsonDocument.Parse(await proxy.Http.GetStringAsync("/admin/status"));

        var backend = status.RootElement.GetProperty("backends").EnumerateArray().ShouldHaveSingleItem();
        backend.GetProperty("contextLength").GetInt32().ShouldBe(24576);
    }

    [Fact]
    public async Task Status_says_where_each_window_comes_from_and_never_shows_a_default_as_reported()
    {
        // No Ollama is running: its window is the kind's default num_ctx, which no server reported.
        await using var llama = await FakeOpenAIServer.StartAsync(ServerFlavor.LlamaCpp, new FakeServerOptions { ContextLength = 24576 });
        var options = new AnyClaudeOptions
        {
            Mode = "llama",
            Host = "127.0.0.1",
            Port = 0,
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["llama"] = new() { Name = "llama", Kind = "llama-cpp", Url = llama.BaseUrl },
                ["ollama"] = new() { Name = "ollama", Kind = "ollama", Url = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}") },
                ["mac"] = new() { Name = "mac", Kind = "mlx-lm", Url = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1"), ContextLength = 16384 },
            },
        };
        IReadOnlyList<Abstractions.Backends.IBackendFactory> factories = [.. ProxyHarness.Factories, .. NativeBackends.NativeProxy.Factories];
        var app = ProxyApp.Build(options, factories, _ => { });
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ProxyApp.ListeningAddress(app).Port}/") };
            var registry = app.Services.GetRequiredService<BackendRegistry>();
            foreach (var backend in registry.All)
            {
                try
                {
                    await backend.DiscoverCapabilitiesAsync(CancellationToken.None);
                }
                catch (Abstractions.Errors.AnthropicException)
                {
                    // Ollama is not running: it stays unanswered.
                }
            }

            using var status = JsonDocument.Parse(await http.GetStringAsync("/admin/status"));
            var backends = status.RootElement.GetProperty("backends").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!);
            backends["llama"].GetProperty("contextLength").GetInt32().ShouldBe(24576);
            backends["llama"].GetProperty("contextLengthSource").GetString().ShouldBe("reported");
            backends["ollama"].GetProperty("contextLength").GetInt32().ShouldBe(32768);
            backends["ollama"].GetProperty("contextLengthSource").GetString().ShouldBe("default");
            backends["mac"].GetProperty("contextLengthSource").GetString().ShouldBe("configured");

            string text = ControlCommands.FormatStatus(AnyClaude.Host.Admin.ProxyStatus.Read(status.RootElement));
            var ollamaLine = text.Split('\n').Single(l => l.TrimStart().StartsWith("ollama ", StringComparison.Ordinal));
            ollamaLine.ShouldContain("window 32,768 tokens (default, not reported by the server)");
            text.Split('\n').Single(l => l.TrimStart().StartsWith("llama ", StringComparison.Ordinal)).ShouldContain("window 24,576 tokens (reported by the server)");
            text.Split('\n').Single(l => l.TrimStart().StartsWith("mac ", StringComparison.Ordinal)).ShouldContain("window 16,384 tokens (configured)");

            var (console, tables) = Cli.StatusCommandTests.Recording(width: 300);
            console.Write(StatusView.Render(AnyClaude.Host.Admin.ProxyStatus.Read(status.RootElement), DateTimeOffset.Now));
            tables.ToString().ShouldContain("window 32,768 tokens (default, not reported by the server)");
            tables.ToString().ShouldContain("window 24,576 tokens (reported by the server)");

            using var listing = new StringWriter();
            ContextListing.Write(options, registry, listing);
            listing.ToString().ShouldNotContain("ollama: 32,768 tokens (reported by the server)");
            listing.ToString().ShouldContain("ollama: 32,768 tokens (default, not reported by the server; set contextLength for this backend)");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
