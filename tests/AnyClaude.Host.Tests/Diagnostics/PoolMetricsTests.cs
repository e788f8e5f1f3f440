using System.Net;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary>A pool's requests in <c>/metrics</c> are tagged with the replica that answered, not the pool's first URL.</summary>
public sealed class PoolMetricsTests
{
    [Fact]
    public async Task A_pool_request_is_tagged_with_the_destination_that_answered_it()
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        string pool = $"pool{id}";
        var closed = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
        await using var proxy = await MultiBackendProxy.StartAsync(pool, ["up"], configure: options => options with
        {
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                // The first URL refuses: every request is moved on to the second, inside the pool.
                [pool] = new() { Name = pool, Kind = "openai", Url = closed, Urls = [closed, options.Backends["up"].Url] },
            },
        });

        for (int i = 0; i < 2; i++)
        {
            using var response = await proxy.PostAsync(MultiBackendProxy.Simple(stream: i == 0));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        using var scrape = await proxy.Http.GetAsync("/metrics");
        string text = await scrape.Content.ReadAsStringAsync();
        var answered = PrometheusText.Parse(text).Find("anyclaude_requests_total", ("backend", pool), ("status", "200"));
        answered.Sum(s => s.Value).ShouldBe(2, text);
        answered.Select(s => s.Labels["destination"]).Distinct().ShouldBe([proxy["up"].BaseUrl.Authority], text);
    }
}
