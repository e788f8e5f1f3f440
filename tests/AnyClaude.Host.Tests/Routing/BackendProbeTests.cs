using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>
/// Issue 24, point 5: health nobody has checked is unknown, not healthy; the proxy checks its backends in the
/// background at start, so a dead server (a pool's dead URL too) shows as down before any request went to it.
/// </summary>
public sealed class BackendProbeTests
{
    [Fact]
    public void Health_nobody_has_checked_is_unknown_and_a_probe_shows_it_without_backing_the_backend_off()
    {
        var health = new BackendHealthTracker(new FakeTimeProvider());
        health.Snapshot("a").Health.ShouldBe(BackendHealthState.Unknown);
        health.Snapshot("a").Healthy.ShouldBeFalse();

        health.MarkProbed("a", BackendHealth.Unhealthy("backend 'a' at http://127.0.0.1:9/v1 refused the connection"));
        var down = health.Snapshot("a");
        down.Health.ShouldBe(BackendHealthState.Down);
        down.LastError.ShouldNotBeNull().ShouldContain("refused");
        health.IsAvailable("a").ShouldBeTrue("a probe never changes where requests go");

        health.MarkProbed("a", BackendHealth.Healthy());
        health.Snapshot("a").Health.ShouldBe(BackendHealthState.Up);

        health.Started("b");
        health.Finished("b");
        health.Snapshot("b").Health.ShouldBe(BackendHealthState.Unknown, "a request in flight says nothing of its outcome");
        health.MarkSucceeded("b");
        health.Snapshot("b").Health.ShouldBe(BackendHealthState.Up);
    }

    [Fact]
    public async Task Status_shows_a_dead_backend_and_a_pools_dead_url_as_down_before_any_request()
    {
        var dead = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
        await using var proxy = await MultiBackendProxy.StartAsync("live", ["live", "other"], urls: new Dictionary<string, Uri> { ["dead"] = dead }, configure: options => options with
        {
            Backends = new Dictionary<string, BackendOptions>(options.Backends, StringComparer.OrdinalIgnoreCase)
            {
                ["pool"] = new() { Name = "pool", Kind = "openai", Url = dead, Urls = [dead, options.Backends["other"].Url] },
            },
        });

        JsonElement backends = default;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(100))
        {
            using var status = JsonDocument.Parse(await proxy.Http.GetStringAsync("/admin/status"));
            backends = status.RootElement.GetProperty("backends").Clone();
            if (backends.EnumerateArray().All(b => b.TryGetProperty("health", out var h) && h.GetString() != "unknown"))
            {
                break;
            }
        }

        JsonElement Backend(string name) => backends.EnumerateArray().Single(b => b.GetProperty("name").GetString() == name);
        Backend("live").GetProperty("health").GetString().ShouldBe("up");
        Backend("live").GetProperty("healthy").GetBoolean().ShouldBeTrue();
        Backend("dead").GetProperty("health").GetString().ShouldBe("down");
        Backend("dead").GetProperty("healthy").GetBoolean().ShouldBeFalse();
        Backend("dead").GetProperty("lastError").GetString().ShouldNotBeNull().ShouldContain(dead.Authority);
        Backend("dead").GetProperty("failures").GetInt32().ShouldBe(0, "a probe is not a failed request");

        var destinations = Backend("pool").GetProperty("destinations").EnumerateArray().ToList();
        destinations[0].GetProperty("url").GetString().ShouldBe(dead.ToString());
        destinations[0].GetProperty("health").GetString().ShouldBe("down");
        destinations[0].GetProperty("healthy").GetBoolean().ShouldBeFalse();
        destinations[1].GetProperty("health").GetString().ShouldBe("up");
        Backend("pool").GetProperty("health").GetString().ShouldBe("up", "a pool is up while any of its URLs is");
    }
}
