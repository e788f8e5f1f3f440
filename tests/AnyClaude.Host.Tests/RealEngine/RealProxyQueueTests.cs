using System.Globalization;
using System.Text.Json;
using AnyClaude.TestSupport.RealEngine;
using AnyClaude.TestSupport;
using static AnyClaude.Host.Tests.RealEngine.RealEngineRequests;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A real llama-server with one slot, saturated (issue 20.1): the next request waits in the proxy's queue, not at the
/// server (its <c>requests_deferred</c> stays 0), shows as queued in <c>/admin/status</c> and the dashboard, and is
/// served after; one whose client leaves while queued is never sent.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class RealProxyQueueTests
{
    private const int AMaxTokens = 8;
    private const int BMaxTokens = 13;

    [Fact]
    public async Task With_maxInFlight_1_a_second_request_waits_in_the_proxy_shows_as_queued_and_is_served_after()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1, ExtraArguments = ["--metrics"] });
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, backendDown: true, configureBackend: b => b with { Url = server.V1, MaxInFlight = 1 });
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };

        var aAnswer = await StartLongAsync(server, http);
        var bAnswer = PostAsync(http, Body("conversation-bravo", words: 200, maxTokens: BMaxTokens));
        await WaitUntilAsync(async () => bAnswer.IsCompleted || await QueuedAsync(proxy) == 1, "B is queued in the proxy");

        (await DeferredAsync(server)).ShouldBe(0, "B waits in the proxy, not at the server");
        (await SlotsAsync(server)).Single().MaxTokens.ShouldBe(AMaxTokens);
        var status = await StatusAsync(proxy);
        status.GetProperty("maxInFlight").GetInt32().ShouldBe(1);
        status.GetProperty("inFlight").GetInt32().ShouldBe(1);
        (await LivePhasesAsync(proxy)).ShouldContain("queued");

        var a = await aAnswer;
        var b = await bAnswer;
        b.CompletedAt.ShouldBeGreaterThan(a.CompletedAt);
        (await QueuedAsync(proxy)).ShouldBe(0);
        (await SlotsAsync(server)).Single().MaxTokens.ShouldBe(BMaxTokens);
    }

    [Fact]
    public async Task A_queued_request_whose_client_leaves_is_never_sent_upstream()
    {
        // No maxInFlight: the limit is the server's slot count, 1 (from /props).
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1, ExtraArguments = ["--metrics"] });
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, backendDown: true, configureBackend: b => b with { Url = server.V1 });
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromMinutes(5) };

        var aAnswer = await StartLongAsync(server, http);
        using var leave = new CancellationTokenSource();
        var bAnswer = PostAsync(http, Body("conversation-bravo", words: 200, maxTokens: BMaxTokens), leave.Token);
        await WaitUntilAsync(async () => bAnswer.IsCompleted || await QueuedAsync(proxy) == 1, "B is queued in the proxy");
        (await DeferredAsync(server)).ShouldBe(0);

        await leave.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => bAnswer);
        await WaitUntilAsync(async () => await QueuedAsync(proxy) == 0, "B left the queue");

        await aAnswer;
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await DeferredAsync(server)).ShouldBe(0);
        var slot = (await SlotsAsync(server)).Single();
        slot.Processing.ShouldBeFalse();
        slot.MaxTokens.ShouldBe(AMaxTokens, "the last request the server ran is A: B never reached it");
        (await StatusAsync(proxy)).GetProperty("inFlight").GetInt32().ShouldBe(0);
    }

    /// <summary>Starts conversation A (about 5k tokens, cold) and returns once the server is prefilling it.</summary>
    private static async Task<Task<Answer>> StartLongAsync(RealLlamaServer server, HttpClient http)
    {
        var aAnswer = PostAsync(http, Body("conversation-alpha", words: 5_000, stream: true, maxTokens: AMaxTokens));
        await WaitUntilAsync(async () => aAnswer.IsCompleted || (await SlotsAsync(server)).Any(s => s.Processing && s.MaxTokens == AMaxTokens), "A is prefilling");
        aAnswer.IsCompleted.ShouldBeFalse("A should still be prefilling");
        return aAnswer;
    }

    private static async Task<JsonElement> StatusAsync(ProxyHarness proxy)
    {
        using var status = JsonDocument.Parse(await proxy.Http.GetStringAsync("/admin/status"));
        return status.RootElement.GetProperty("backends").EnumerateArray().Single().Clone();
    }

    private static async Task<int> QueuedAsync(ProxyHarness proxy) => (await StatusAsync(proxy)).GetProperty("queued").GetInt32();

    /// <summary>The phases of the requests running now, from the dashboard's first snapshot.</summary>
    private static async Task<List<string>> LivePhasesAsync(ProxyHarness proxy)
    {
        using var response = await proxy.Http.GetAsync("/ui/events", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        await foreach (var (name, data) in SseReader.ReadAsync(stream))
        {
            if (name == "snapshot")
            {
                using var snapshot = JsonDocument.Parse(data);
                return [.. snapshot.RootElement.GetProperty("live").EnumerateArray().Select(r => r.GetProperty("phase").GetString()!)];
            }
        }

        throw new InvalidOperationException("the dashboard sent no snapshot");
    }

    /// <summary>llama-server's own queue: <c>llamacpp:requests_deferred</c> on <c>/metrics</c>.</summary>
    private static async Task<int> DeferredAsync(RealLlamaServer server)
    {
        string metrics = await server.Http.GetStringAsync("metrics");
        string line = metrics.Split('\n').Single(l => l.StartsWith("llamacpp:requests_deferred ", StringComparison.Ordinal));
        return (int)double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }
}
