using System.Net;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Tests.Cache;
using AnyClaude.Host.Tests.Routing;
using Microsoft.Playwright;

namespace AnyClaude.Host.Tests.Dashboard;

/// <summary>
/// A pool's destinations in the dashboard (real chromium, real proxy): a backend with two <c>urls</c>, one a closed port,
/// shows both URLs under it, the dead one unhealthy with its error (also under recent errors) and the live one healthy
/// holding the conversation.
/// </summary>
public sealed class DashboardPoolTests
{
    [ChromiumFact]
    public async Task A_pool_shows_each_destination_with_its_health_under_its_backend()
    {
        var dead = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
        await using var proxy = await MultiBackendProxy.StartAsync("pool", ["live"], configure: options => options with
        {
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["pool"] = new() { Name = "pool", Kind = "openai", Url = dead, Urls = [dead, options.Backends["live"].Url] },
            },
        });
        var live = proxy["live"].BaseUrl;

        // Each readiness check finds the closed port down and doubles its back-off (2 s, 4 s, ... 32 s), so it stays
        // down while the page is looked at; the conversation then goes to the destination that answers.
        for (int check = 0; check < 5; check++)
        {
            using var ready = await proxy.Http.GetAsync("/health/ready");
            ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using (var answered = await proxy.PostAsync(ConversationTurns.Turn(1, "pooled")))
        {
            answered.StatusCode.ShouldBe(HttpStatusCode.OK);
            MultiBackendProxy.TextOf(await answered.Content.ReadAsStringAsync()).ShouldBe("answer from live");
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var problems = HeadlessChromium.WatchProblems(page);

        (await page.GotoAsync(new Uri(proxy.Http.BaseAddress!, "/ui").AbsoluteUri))!.Status.ShouldBe(200);
        await Assertions.Expect(page.Locator("#backends tr[data-backend=pool]")).ToContainTextAsync("pool of 2");
        var destinations = page.Locator("#backends tr.destination[data-pool=pool]");
        await Assertions.Expect(destinations).ToHaveCountAsync(2);
        var down = page.Locator($"#backends tr.destination[data-destination='{dead}']");
        var up = page.Locator($"#backends tr.destination[data-destination='{live}']");
        await Assertions.Expect(down).ToContainTextAsync(dead.ToString());
        await Assertions.Expect(down.Locator("td.unhealthy")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"^unhealthy \(\d+ failures, retry "));
        await Assertions.Expect(down).ToContainTextAsync("last error:");
        await Assertions.Expect(up.Locator("td.healthy")).ToHaveTextAsync("healthy");
        await Assertions.Expect(up).ToContainTextAsync("conversations: 1");
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync($"pool → {dead}: ");
        // The destinations sit right under their backend's row.
        (await page.Locator("#backends tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.backend || r.dataset.destination)"))
            .ShouldBe(["pool", dead.ToString(), live.ToString()]);

        await HeadlessChromium.ScreenshotAsync(page, "dashboard-pool.png");
        await page.CloseAsync();
        problems.ShouldBeEmpty();
    }
}
