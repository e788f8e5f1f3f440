using System.Net;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AnyClaude.Host.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless browser (Debian's chromium through Playwright) against the real proxy: it loads with
/// no console errors, shows both backends, its switch changes the default the next request goes to, and a running
/// request appears live. The screenshot is kept in artifacts/dashboard.png beside the test assembly.
/// </summary>
public sealed class DashboardBrowserTests
{
    [ChromiumFact]
    public async Task The_dashboard_shows_backends_switches_the_default_and_shows_a_live_request()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("alpha", ["alpha", "beta"]);
        proxy["beta"].RespondWith(_ => ScriptedResponse.Text("slow answer from beta").WithPrefillDelay(TimeSpan.FromSeconds(6)));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var problems = HeadlessChromium.WatchProblems(page, failedRequests: true);

        var response = await page.GotoAsync(new Uri(proxy.Http.BaseAddress!, "/ui").AbsoluteUri);
        response!.Status.ShouldBe(200);
        var rows = page.Locator("#backends tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#backends tr[data-backend=alpha]")).ToContainTextAsync("healthy");
        await Assertions.Expect(page.Locator("#backends tr[data-backend=beta]")).ToContainTextAsync("make default");
        await Assertions.Expect(page.Locator("#default")).ToHaveTextAsync("alpha");
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");

        await page.Locator("button[data-make-default=beta]").ClickAsync();
        await Assertions.Expect(page.Locator("#default")).ToHaveTextAsync("beta");

        // The next request goes to the new default; it prefills for a while, so the page shows it running.
        var slow = proxy.PostAsync(MultiBackendProxy.Simple(stream: true));
        var live = page.Locator("#live tbody tr[data-request]");
        await Assertions.Expect(live).ToHaveCountAsync(1, new() { Timeout = 5000 });
        await Assertions.Expect(live).ToContainTextAsync("beta");
        await Assertions.Expect(live).ToContainTextAsync("prefill");

        await HeadlessChromium.ScreenshotAsync(page, "dashboard.png");

        using (var answered = await slow)
        {
            answered.StatusCode.ShouldBe(HttpStatusCode.OK);
            MultiBackendProxy.BackendOf(answered).ShouldBe("beta");
            MultiBackendProxy.TextOf(await answered.Content.ReadAsStringAsync()).ShouldBe("slow answer from beta");
        }

        await Assertions.Expect(live).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#backends tr[data-backend=beta]")).ToContainTextAsync("1 (0 errors)");
        await page.CloseAsync();
        problems.ShouldBeEmpty();
    }

    [ChromiumFact]
    public async Task With_an_access_key_the_one_time_link_opens_the_dashboard_and_its_switch_works()
    {
        const string key = "browser-access-key-0123456789";
        await using var proxy = await MultiBackendProxy.StartAsync("alpha", ["alpha", "beta"], configure: o => o with { ApiKey = key });
        var output = new StringWriter();
        (await AnyClaude.Host.Cli.Commands.UiCommand.RunAsync(proxy.Http.BaseAddress!, key, output, new StringWriter())).ShouldBe(0);
        string link = output.ToString().Trim();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);

        // A browser without the link's cookie gets nothing: the page and a second use of the link are both 401.
        await using (var stranger = await browser.NewContextAsync())
        {
            var page = await stranger.NewPageAsync();
            (await page.GotoAsync(new Uri(proxy.Http.BaseAddress!, "/ui").AbsoluteUri))!.Status.ShouldBe(401);
        }

        await using var context = await browser.NewContextAsync();
        var dashboard = await context.NewPageAsync();
        var problems = HeadlessChromium.WatchProblems(dashboard);

        var response = await dashboard.GotoAsync(link);
        response!.Status.ShouldBe(200);
        dashboard.Url.ShouldBe(new Uri(proxy.Http.BaseAddress!, "/ui").AbsoluteUri); // the token is gone from the address bar
        var cookie = (await context.CookiesAsync()).Single();
        cookie.HttpOnly.ShouldBeTrue();
        cookie.SameSite.ShouldBe(SameSiteAttribute.Strict);
        cookie.Path.ShouldBe("/ui");

        await Assertions.Expect(dashboard.Locator("#backends tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(dashboard.Locator("#connection")).ToHaveTextAsync("live");
        await Assertions.Expect(dashboard.Locator("#default")).ToHaveTextAsync("alpha");
        await dashboard.Locator("button[data-make-default=beta]").ClickAsync();
        await Assertions.Expect(dashboard.Locator("#default")).ToHaveTextAsync("beta");
        proxy.App.Services.GetRequiredService<LiveRouting>().Current.Mode.ShouldBe("beta");

        await using (var second = await browser.NewContextAsync())
        {
            var page = await second.NewPageAsync();
            (await page.GotoAsync(link))!.Status.ShouldBe(401);
        }

        await dashboard.CloseAsync();
        problems.ShouldBeEmpty();
    }
}
