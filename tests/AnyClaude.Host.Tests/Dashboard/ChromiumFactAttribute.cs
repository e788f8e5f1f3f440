namespace AnyClaude.Host.Tests.Dashboard;

/// <summary>
/// A fact that needs Debian's <c>chromium</c> (Playwright's own browsers cannot be downloaded here). .ci/run installs
/// it, so CI runs these; on a machine without it they are skipped, saying so.
/// </summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public static readonly string? ChromiumPath =
        new[] { Environment.GetEnvironmentVariable("ANYCLAUDE_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public ChromiumFactAttribute()
    {
        if (ChromiumPath is null)
        {
            Skip = "chromium is not installed (apt-get install chromium; .ci/run installs it): the dashboard's browser test cannot run";
        }
    }
}
