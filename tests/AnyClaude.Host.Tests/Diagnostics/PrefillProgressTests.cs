using System.Text.Json;
using AnyClaude.TestSupport;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary>A long mlx-lm prefill is visible while it runs: its <c>: keepalive N/M</c> counts reach the log and the dashboard's feed.</summary>
public sealed class PrefillProgressTests
{
    [Fact]
    public async Task Mlx_lm_keepalive_counts_reach_the_log_and_the_dashboard_while_it_prefills()
    {
        var logs = new CapturedLogs();
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, logging: logs.Configure);
        proxy.Fake.Enqueue(ScriptedResponse.Text("after a long prefill").WithPrefillDelay(TimeSpan.FromSeconds(3)));

        using var events = await proxy.Http.GetAsync("/ui/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        var answering = proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));

        (int Done, int Total)? seen = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (seen is null && DateTime.UtcNow < deadline && await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            using var snapshot = JsonDocument.Parse(line["data: ".Length..]);
            foreach (var request in snapshot.RootElement.GetProperty("live").EnumerateArray())
            {
                if (request.TryGetProperty("prefillTotal", out var total))
                {
                    request.GetProperty("phase").GetString().ShouldBe("prefill");
                    seen = (request.GetProperty("prefillDone").GetInt32(), total.GetInt32());
                }
            }
        }

        seen.ShouldNotBeNull("the dashboard's feed never showed prefill progress");
        seen.Value.Total.ShouldBeGreaterThan(0);
        seen.Value.Done.ShouldBeLessThanOrEqualTo(seen.Value.Total);

        using var answered = await answering;
        Routing.MultiBackendProxy.TextOf(await answered.Content.ReadAsStringAsync()).ShouldBe("after a long prefill");
        var progress = logs.Entries.Where(e => e.Level == LogLevel.Information && e.Message.Contains(" prefill ", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        progress.ShouldNotBeEmpty();
        progress.ShouldAllBe(m => System.Text.RegularExpressions.Regex.IsMatch(m, @"mlx-lm prefill \d+/\d+ prompt tokens \(\d+%\)$"));
        // First, last and at most one every 2 s between: a 3 s prefill with reports every 200 ms gives a handful, not 15.
        progress.Count.ShouldBeLessThanOrEqualTo(4);
        progress[^1].ShouldContain("(100%)");
    }
}
