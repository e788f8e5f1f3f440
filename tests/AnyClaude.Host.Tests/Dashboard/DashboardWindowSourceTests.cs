using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.TestSupport;
using Microsoft.Playwright;

namespace AnyClaude.Host.Tests.Dashboard;

/// <summary>
/// Each backend's context window in the dashboard says where it came from (real chromium, real proxy): an Ollama backend
/// with no Ollama running shows its kind's default as a default, never as what the server reported.
/// </summary>
public sealed class DashboardWindowSourceTests
{
    [ChromiumFact]
    public async Task A_default_window_is_shown_as_a_default_and_a_reported_one_as_reported()
    {
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
            },
        };
        IReadOnlyList<IBackendFactory> factories = [.. ProxyHarness.Factories, .. NativeBackends.NativeProxy.Factories];
        var app = ProxyApp.Build(options, factories, _ => { });
        await app.StartAsync();
        try
        {
            var root = new Uri($"http://127.0.0.1:{ProxyApp.ListeningAddress(app).Port}/");
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await HeadlessChromium.LaunchAsync(playwright);
            var page = await browser.NewPageAsync();
            var problems = HeadlessChromium.WatchProblems(page);

            (await page.GotoAsync(new Uri(root, "/ui").AbsoluteUri))!.Status.ShouldBe(200);
            var ollama = page.Locator("#backends tr[data-backend=ollama]");
            await Assertions.Expect(ollama).ToContainTextAsync("32,768 tokens (default, not reported by the server)");
            await Assertions.Expect(ollama).Not.ToContainTextAsync("(reported by the server)");
            // The llama-server's /props is asked in the background at start-up; the page updates live.
            await Assertions.Expect(page.Locator("#backends tr[data-backend=llama]")).ToContainTextAsync("24,576 tokens (reported by the server)");

            await page.CloseAsync();
            problems.ShouldBeEmpty();
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
