using System.Net;
using System.Text.Json;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary><c>/metrics</c> after a run of requests through the real proxy, read with a Prometheus text parser.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_count_what_was_sent_by_backend_with_tokens_errors_and_fallbacks()
    {
        // Unique names: the meter's name is the same in every proxy of this test process.
        string id = Guid.NewGuid().ToString("N")[..8];
        string up = $"up{id}", down = $"down{id}";
        await using var proxy = await MultiBackendProxy.StartAsync(
            mode: up,
            running: [up],
            urls: new Dictionary<string, Uri> { [down] = new($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1") },
            routing: MultiBackendProxy.Fallbacks(down, up));
        proxy[up].RespondWith(_ => ScriptedResponse.Text("hello there").WithUsage(promptTokens: 100, completionTokens: 7, cachedTokens: 60));

        for (int i = 0; i < 3; i++)
        {
            using var response = await proxy.PostAsync(MultiBackendProxy.Simple(stream: i % 2 == 0));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }

        // Named for the down backend: refused, so it falls back to the running one.
        using (var fallenBack = await proxy.PostAsync(MultiBackendProxy.Simple(model: down)))
        {
            fallenBack.StatusCode.ShouldBe(HttpStatusCode.OK);
            MultiBackendProxy.BackendOf(fallenBack).ShouldBe(up);
        }

        proxy[up].RespondWith(null);
        proxy[up].Enqueue(ScriptedResponse.Error(400, """{"error":{"message":"bad thing","type":"invalid_request_error"}}"""));
        string errorType;
        using (var failed = await proxy.PostAsync(MultiBackendProxy.Simple()))
        {
            ((int)failed.StatusCode).ShouldBeGreaterThanOrEqualTo(400);
            using var json = JsonDocument.Parse(await failed.Content.ReadAsStringAsync());
            errorType = json.RootElement.GetProperty("error").GetProperty("type").GetString()!;
        }

        using var scrape = await proxy.Http.GetAsync("/metrics");
        scrape.StatusCode.ShouldBe(HttpStatusCode.OK);
        string text = await scrape.Content.ReadAsStringAsync();
        var metrics = PrometheusText.Parse(text);

        var ok = (Label: "backend", Value: up);
        metrics.Sum("anyclaude_requests_total", ok, ("status", "200")).ShouldBe(4, text);
        metrics.Sum("anyclaude_requests_total", ok).ShouldBe(5, text);
        metrics.Sum("anyclaude_requests_total", ("backend", down)).ShouldBe(0, text);
        metrics.Sum("anyclaude_errors_total", ok, ("error_type", errorType)).ShouldBe(1, text);
        metrics.Sum("anyclaude_prompt_tokens_total", ok).ShouldBe(400, text);
        metrics.Sum("anyclaude_cached_tokens_total", ok).ShouldBe(240, text);
        metrics.Sum("anyclaude_output_tokens_total", ok).ShouldBe(28, text);
        metrics.Sum("anyclaude_fallbacks_total", ("backend", down), ("fallback", up)).ShouldBe(1, text);
        metrics.Sum("anyclaude_time_to_first_token_seconds_count", ok).ShouldBe(4, text);
        metrics.Sum("anyclaude_request_duration_seconds_count", ok).ShouldBe(5, text);
        metrics.Find("anyclaude_requests_in_flight", ok).ShouldAllBe(s => s.Value == 0);
        metrics.Types["anyclaude_time_to_first_token_seconds"].ShouldBe("histogram");

        var first = metrics.Find("anyclaude_requests_total", ok, ("status", "200")).First();
        first.Labels["destination"].ShouldBe(proxy[up].BaseUrl.Authority);
        first.Labels["class"].ShouldBe("turn");
        first.Labels["model"].ShouldNotBeNullOrEmpty();
        metrics.Find("anyclaude_requests_total", ok).Select(s => s.Labels["route"]).ShouldContain("mode");
        metrics.Find("anyclaude_requests_total", ok).Select(s => s.Labels["route"]).ShouldContain("model names the backend");
    }
}
