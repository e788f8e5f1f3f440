using System.Net;
using System.Text;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary>
/// Requests refused before any backend saw them (a body the reader rejects, a probe for a model nobody serves) are
/// counted in <c>/metrics</c> under <c>route="refused"</c> and get one log line each; no backend is asked.
/// </summary>
public sealed class RefusedRequestTests
{
    [Fact]
    public async Task A_bad_body_and_an_unknown_probe_are_counted_as_refused_and_logged_once_each()
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        string main = $"main{id}";
        var logs = new CapturedLogs();
        await using var proxy = await MultiBackendProxy.StartAsync(main, [main], logging: logs.Configure);

        using (var bad = await proxy.Http.PostAsync("/v1/messages", new StringContent("""{"model":"x","messages":"not a list"}""", Encoding.UTF8, "application/json")))
        {
            bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        using (var probe = await proxy.PostAsync(RequestBodies.Probe("nobody-serves-this")))
        {
            probe.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        proxy[main].ChatRequests.ShouldBeEmpty();
        using var scrape = await proxy.Http.GetAsync("/metrics");
        string text = await scrape.Content.ReadAsStringAsync();
        var metrics = PrometheusText.Parse(text);
        metrics.Sum("anyclaude_requests_total", ("route", "refused"), ("backend", "-"), ("status", "400")).ShouldBe(1, text);
        metrics.Sum("anyclaude_requests_total", ("route", "refused"), ("backend", main), ("status", "404"), ("class", "probe")).ShouldBe(1, text);
        metrics.Sum("anyclaude_errors_total", ("route", "refused"), ("error_type", "not_found_error")).ShouldBe(1, text);

        var refused = logs.Entries.Where(e => e.Message.Contains("before it was sent", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        refused.Count.ShouldBe(2, string.Join("\n", refused));
        refused.ShouldContain(line => line.Contains(" - refused 400 ", StringComparison.Ordinal));
        refused.ShouldContain(line => line.Contains($" {main} refused 404 ", StringComparison.Ordinal) && line.Contains("nobody-serves-this", StringComparison.Ordinal));
    }
}
