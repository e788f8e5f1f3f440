using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AnyClaude.Host.Proxy.Telemetry;
using AnyClaude.TestSupport.RealEngine;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// A client that goes away while the real <c>llama-server</c> is still prefilling its prompt, through the proxy: the
/// server hears of it (its own log and <c>/slots</c>), stops after the batch it is on, and keeps what it prefilled.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed partial class ClientLeavesMidPrefillTests(ITestOutputHelper output)
{
    /// <summary>llama-server's default <c>--batch-size</c>: it prefills this many tokens between two looks at its queue.</summary>
    private const int BatchSize = 2048;

    [Fact]
    public async Task A_client_that_leaves_mid_prefill_frees_the_servers_slot_within_a_batch_and_the_next_request_reuses_what_was_prefilled()
    {
        await using var server = await RealLlamaServer.StartAsync(new LlamaServerOptions { Parallel = 1 });
        await using var proxy = await ProxyOverRealEngine.StartAsync([ProxyOverRealEngine.Backend("llama", "llama-cpp", server)]);
        // About 12,700 tokens: six of the server's 2,048-token batches, several seconds of prefill even on an idle machine.
        var body = ProxyOverRealEngine.Body(ProxyOverRealEngine.LongPrompt(650), stream: true, maxTokens: 8);

        using var leave = new CancellationTokenSource();
        var sending = ReadToEndAsync(proxy, body, leave.Token);
        // The server's progress as it streams it (return_progress chunks, as the dashboard shows them): its stderr log
        // arrives in bursts, late. Leave once the first batch is done: the prefill has most of the prompt to go.
        var live = proxy.App.Services.GetRequiredService<LiveRequests>();
        long started = Stopwatch.GetTimestamp();
        await ProxyOverRealEngine.WaitUntilAsync(() => Task.FromResult(PrefilledOf(live) > 0), TimeSpan.FromMinutes(5), "the first prefill batch");
        var batchTime = Stopwatch.GetElapsedTime(started);

        // Nothing here asks /slots before leaving: the server answers it only between batches, which would delay the leaving.
        long left = Stopwatch.GetTimestamp();
        int prefilledWhenLeft = PrefilledOf(live);
        await leave.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(sending);
        await ProxyOverRealEngine.WaitUntilAsync(async () => !await AnySlotProcessingAsync(server), TimeSpan.FromMinutes(3), "the slot being freed");
        var freeAfter = Stopwatch.GetElapsedTime(left);
        var task = await WaitForLineAsync(server, LaunchLine(), TimeSpan.FromSeconds(30), "the task's launch");

        // The server's own account: it was told to cancel this task and released the slot part-way through the prompt,
        // after the batch it was on (it hears of a closed connection within about a second and checks between batches).
        server.Output.ShouldContain($"cancel task, id_task = {task.Groups["task"].Value}", customMessage: server.Output);
        var release = await WaitForLineAsync(server, ReleaseLine(task.Groups["task"].Value), TimeSpan.FromSeconds(30), "the slot's release");
        int kept = int.Parse(release.Groups["tokens"].Value, CultureInfo.InvariantCulture);
        kept.ShouldBeLessThanOrEqualTo(prefilledWhenLeft + (2 * BatchSize), $"prefilled {prefilledWhenLeft} when the client left:\n{server.Output}");

        // Had the proxy kept the upstream request open, the slot would have stayed busy for the four or more (ever
        // slower) batches left; a generous bound in the time the first batch took, as the machine may be loaded.
        freeAfter.TotalSeconds.ShouldBeLessThan((4 * batchTime.TotalSeconds) + 5, $"the first batch took {batchTime.TotalSeconds:0.00} s");

        // The same prompt again: what was prefilled before the client left is reused.
        using var answer = await proxy.AskAsync(ProxyOverRealEngine.Body(ProxyOverRealEngine.LongPrompt(650), stream: false, maxTokens: 8));
        var usage = answer.RootElement.GetProperty("usage");
        int cached = usage.GetProperty("cache_read_input_tokens").GetInt32();
        int prompt = usage.GetProperty("input_tokens").GetInt32() + cached;
        kept.ShouldBeLessThan(prompt, "the slot was released before the prefill was done");
        cached.ShouldBeGreaterThan(0, server.Output);
        cached.ShouldBeLessThanOrEqualTo(kept);
        // The cancelled task printed no timings; the next one's are the server's account of what it prefilled.
        var timings = await WaitForLineAsync(server, PromptEvalLine(), TimeSpan.FromSeconds(30), "the next request's timings");
        int.Parse(timings.Groups["tokens"].Value, CultureInfo.InvariantCulture).ShouldBe(prompt - cached, "the server prefilled only what it had not kept");

        output.WriteLine($"first batch {batchTime.TotalSeconds:0.00} s; left at {prefilledWhenLeft} tokens prefilled; slot free {freeAfter.TotalSeconds:0.00} s after; kept {kept} of {prompt} tokens; next request cache_n {cached}");
    }

    private static async Task ReadToEndAsync(ProxyOverRealEngine proxy, System.Text.Json.Nodes.JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await proxy.SendAsync(body, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await stream.CopyToAsync(Stream.Null, cancellationToken);
    }

    internal static async Task<bool> AnySlotProcessingAsync(RealLlamaServer server)
    {
        using var slots = await server.SlotsAsync();
        return slots.RootElement.EnumerateArray().Any(s => s.GetProperty("is_processing").GetBoolean());
    }

    internal static async Task<Match> WaitForLineAsync(RealLlamaServer server, Regex line, TimeSpan timeout, string what)
    {
        Match? found = null;
        try
        {
            await ProxyOverRealEngine.WaitUntilAsync(() => Task.FromResult((found = line.Match(server.Output)).Success), timeout, what);
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException($"{exception.Message}; the server's log:\n{server.Output}", exception);
        }

        return found!;
    }

    /// <summary>How much of the (only) running request's prompt the server says it has prefilled.</summary>
    private static int PrefilledOf(LiveRequests live) => live.Snapshot().SingleOrDefault()?.Prefill?.Done ?? 0;

    [GeneratedRegex(@"task (?<task>\d+) \| processing task")]
    private static partial Regex LaunchLine();

    private static Regex ReleaseLine(string task) => new($@"task {task} \| stop processing: n_tokens = (?<tokens>\d+)");

    [GeneratedRegex(@"prompt eval time =\s+[0-9.]+ ms /\s+(?<tokens>\d+) tokens")]
    private static partial Regex PromptEvalLine();
}
