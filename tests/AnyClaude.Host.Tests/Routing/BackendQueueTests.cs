using System.Net;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Tests.Cli;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>The per-backend queue (<c>maxInFlight</c>): first come first served, left by a client that goes, bounded by the first-byte timeout.</summary>
public sealed class BackendQueueTests
{
    [Fact]
    public async Task Requests_beyond_the_limit_wait_in_arrival_order()
    {
        var queues = new BackendQueues();
        var first = await queues.EnterAsync("llama", 1, "r1", TimeSpan.FromMinutes(1), null, CancellationToken.None);
        var second = queues.EnterAsync("llama", 1, "r2", TimeSpan.FromMinutes(1), null, CancellationToken.None).AsTask();
        var third = queues.EnterAsync("llama", 1, "r3", TimeSpan.FromMinutes(1), null, CancellationToken.None).AsTask();

        queues.Snapshot("llama").ShouldBe(new QueueSnapshot(1, 2, 1));
        queues.IsWaiting("r2").ShouldBeTrue();
        first.Dispose();
        using var entered = await second.WaitAsync(TimeSpan.FromSeconds(10));
        entered.WaitedSeconds.ShouldBeGreaterThan(0);
        third.IsCompleted.ShouldBeFalse();
        queues.IsWaiting("r2").ShouldBeFalse();
        queues.Snapshot("llama").ShouldBe(new QueueSnapshot(1, 1, 1));
        entered.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        queues.Snapshot("llama").ShouldBe(new QueueSnapshot(0, 0, 1));
    }

    [Fact]
    public async Task A_request_whose_client_leaves_gives_its_turn_to_the_next()
    {
        var queues = new BackendQueues();
        var running = await queues.EnterAsync("llama", 1, "r1", TimeSpan.FromMinutes(1), null, CancellationToken.None);
        using var leave = new CancellationTokenSource();
        var leaving = queues.EnterAsync("llama", 1, "r2", TimeSpan.FromMinutes(1), null, leave.Token).AsTask();
        var next = queues.EnterAsync("llama", 1, "r3", TimeSpan.FromMinutes(1), null, CancellationToken.None).AsTask();

        await leave.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => leaving);
        queues.Snapshot("llama").Waiting.ShouldBe(1);
        running.Dispose();
        (await next.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        queues.Snapshot("llama").ShouldBe(new QueueSnapshot(0, 0, 1));
    }

    [Fact]
    public async Task No_limit_never_waits_and_a_wait_past_the_timeout_is_a_504_naming_the_backend()
    {
        var queues = new BackendQueues();
        for (int i = 0; i < 5; i++)
        {
            _ = await queues.EnterAsync("openai", null, $"r{i}", TimeSpan.FromMinutes(1), () => throw new InvalidOperationException("queued"), CancellationToken.None);
        }

        using var running = await queues.EnterAsync("llama", 1, "a", TimeSpan.FromMinutes(1), null, CancellationToken.None);
        var refused = await Should.ThrowAsync<AnthropicException>(() => queues.EnterAsync("llama", 1, "b", TimeSpan.FromMilliseconds(200), null, CancellationToken.None).AsTask());
        refused.StatusCode.ShouldBe(504);
        refused.Message.ShouldContain("backend 'llama'");
        refused.Message.ShouldContain("maxInFlight");
        queues.Snapshot("llama").ShouldBe(new QueueSnapshot(1, 0, 1));
    }

    [Fact]
    public async Task A_request_queued_past_the_first_byte_timeout_falls_back()
    {
        await using var proxy = await MultiBackendProxy.StartAsync(
            "main",
            ["main", "spare"],
            routing: MultiBackendProxy.Fallbacks("main", "spare"),
            configure: o => o with
            {
                FirstByteTimeout = TimeSpan.FromSeconds(1.5),
                HeartbeatInterval = TimeSpan.FromMilliseconds(200),
                Backends = o.Backends.ToDictionary(p => p.Key, p => p.Key == "main" ? p.Value with { MaxInFlight = 1 } : p.Value, StringComparer.OrdinalIgnoreCase),
            });
        // The first request holds main for about 3.5 s, its headers and first chunk in time.
        proxy["main"].RespondWith(_ => ScriptedResponse.Text("a slow answer from main with several words").WithChunkDelay(TimeSpan.FromMilliseconds(250)));

        var slow = proxy.PostAsync(MultiBackendProxy.Simple(stream: true));
        await WaitUntilAsync(() => proxy["main"].ActiveStreams == 1);
        using var queued = await proxy.PostAsync(MultiBackendProxy.Simple());
        string body = await queued.Content.ReadAsStringAsync();

        queued.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        MultiBackendProxy.BackendOf(queued).ShouldBe("spare");
        body.ShouldContain("answer from spare");
        using var first = await slow;
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        proxy["main"].ChatRequests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Anyclaude_status_and_the_metrics_show_the_queue()
    {
        await using var proxy = await MultiBackendProxy.StartAsync(
            "main",
            ["main"],
            configure: o => o with { Backends = o.Backends.ToDictionary(p => p.Key, p => p.Value with { MaxInFlight = 1 }, StringComparer.OrdinalIgnoreCase) });
        proxy["main"].RespondWith(_ => ScriptedResponse.Text("a slow answer from main with several words").WithChunkDelay(TimeSpan.FromMilliseconds(250)));

        var slow = proxy.PostAsync(MultiBackendProxy.Simple(stream: true));
        await WaitUntilAsync(() => proxy["main"].ActiveStreams == 1);
        var queued = proxy.PostAsync(MultiBackendProxy.Simple());
        var (console, output) = StatusCommandTests.Recording();
        await WaitUntilAsync(async () => await QueuedAsync(proxy) == 1);
        (await StatusCommand.RichAsync(proxy.Http.BaseAddress!, null, console, TextWriter.Null, TimeProvider.System)).ShouldBe(0);

        output.ToString().ShouldMatch(@"│ main\s+│ openai\s+│ http://127\.0\.0\.1:\d+/v1/?\s+│ healthy\s+│ 1/1 \+1 queued\s+│");
        (await queued).Dispose();
        (await slow).Dispose();
        (await QueuedAsync(proxy)).ShouldBe(0);
        string metrics = await proxy.Http.GetStringAsync("/metrics");
        metrics.ShouldMatch(@"anyclaude_queue_wait_seconds_count\{[^}]*backend=""main""[^}]*\} 1\b");
    }

    private static async Task<int> QueuedAsync(MultiBackendProxy proxy)
    {
        using var status = System.Text.Json.JsonDocument.Parse(await proxy.Http.GetStringAsync("/admin/status"));
        return status.RootElement.GetProperty("backends").EnumerateArray().Single().GetProperty("queued").GetInt32();
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline);
            await Task.Delay(20);
        }
    }
}
