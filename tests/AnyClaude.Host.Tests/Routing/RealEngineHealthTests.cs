using System.Text.Json;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>
/// Issue 24, point 5, on the real llama-server: the background health check finds it up, finds it down once it is
/// killed (no request sent meanwhile), and up again once it is back, in what <c>anyclaude status</c> reads.
/// </summary>
[Collection(RealEngine.RealEngineCollection.Name)]
public sealed class RealEngineHealthTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Status_follows_a_real_llama_server_going_down_and_coming_back_without_any_request()
    {
        await using var server = await RealLlamaServer.StartAsync();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LlamaCpp,
            backendDown: true,
            configure: options => options with { HealthCheckInterval = TimeSpan.FromSeconds(1) },
            configureBackend: backend => backend with { Url = server.V1, Urls = [server.V1] });

        (await HealthOnceItIsAsync(proxy, "up")).GetProperty("healthy").GetBoolean().ShouldBeTrue();

        await server.KillAsync();
        var down = await HealthOnceItIsAsync(proxy, "down");
        down.GetProperty("lastError").GetString().ShouldNotBeNull().ShouldContain($"127.0.0.1:{server.Port}");
        down.GetProperty("lastError").GetString().ShouldNotBeNull().ShouldContain("llama-server");
        down.GetProperty("failures").GetInt32().ShouldBe(0, "no request failed: the check found it");

        await server.StartAgainAsync();
        await HealthOnceItIsAsync(proxy, "up");
    }

    private static async Task<JsonElement> HealthOnceItIsAsync(ProxyHarness proxy, string expected)
    {
        JsonElement backend = default;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Patience; await Task.Delay(200))
        {
            using var status = JsonDocument.Parse(await proxy.Http.GetStringAsync("/admin/status"));
            backend = status.RootElement.GetProperty("backends").EnumerateArray().Single().Clone();
            if (backend.GetProperty("health").GetString() == expected)
            {
                return backend;
            }
        }

        throw new ShouldAssertException($"health never became {expected}: {backend}");
    }
}
