using Microsoft.Playwright;

namespace AnyClaude.Host.Tests.Dashboard;

/// <summary>Debian's chromium, headless, for the dashboard's browser tests, and what a page must not show.</summary>
internal static class HeadlessChromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = ChromiumFactAttribute.ChromiumPath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });

    /// <summary>
    /// Collects the page's console errors and uncaught errors, and with <paramref name="failedRequests"/> its failed
    /// requests too, except the event stream (cut when the page closes): a test ends asserting the list is empty.
    /// </summary>
    public static List<string> WatchProblems(IPage page, bool failedRequests = false)
    {
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Add($"console: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        if (failedRequests)
        {
            page.RequestFailed += (_, request) =>
            {
                if (!request.Url.EndsWith("/ui/events", StringComparison.Ordinal))
                {
                    problems.Add($"request failed: {request.Url}");
                }
            };
        }

        return problems;
    }

    /// <summary>A full-page screenshot kept as a test artifact (artifacts/NAME beside the test assembly).</summary>
    public static Task ScreenshotAsync(IPage page, string name)
    {
        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, name), FullPage = true });
    }
}
