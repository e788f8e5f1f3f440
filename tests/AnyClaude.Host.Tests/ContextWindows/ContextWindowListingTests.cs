using System.Text.Json;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Cli;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport;
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
}
