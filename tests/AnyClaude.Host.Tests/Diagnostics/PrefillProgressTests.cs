using System.Text.Json;
using AnyClaude.TestSupport;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary>
/// A long prefill is visible while it runs: mlx-lm's <c>: keepalive N/M</c> counts and llama.cpp's <c>prompt_progress</c>
/// chunks (asked with <c>return_progress</c>) reach the log and the dashboard's feed, and never the answer.
/// </summary>
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

        var seen = await FirstPrefillAsync(reader);

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

    [Fact]
    public async Task Llama_cpp_prompt_progress_reaches_the_log_and_the_dashboard_and_never_the_answer()
    {
        var logs = new CapturedLogs();
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, logging: logs.Configure);
        proxy.Fake.Enqueue(ScriptedResponse.Text("after a long prefill").WithUsage(4000, 5, 1000).WithPrefillDelay(TimeSpan.FromSeconds(3)));

        using var events = await proxy.Http.GetAsync("/ui/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        var answering = proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));

        var seen = await FirstPrefillAsync(reader);

        seen.ShouldNotBeNull("the dashboard's feed never showed llama.cpp's prefill progress");
        seen.Value.Total.ShouldBe(4000);
        seen.Value.Done.ShouldBeInRange(1000, 3999); // from the cached 1000 up, and still prefilling

        using (var asked = proxy.Fake.LastChatRequest.Json())
        {
            asked.RootElement.GetProperty("return_progress").GetBoolean().ShouldBeTrue();
            asked.RootElement.GetProperty("stream").GetBoolean().ShouldBeTrue();
        }

        using var answered = await answering;
        string body = await answered.Content.ReadAsStringAsync();
        Routing.MultiBackendProxy.TextOf(body).ShouldBe("after a long prefill");
        body.ShouldNotContain("prompt_progress");
        var kinds = SseReader.Parse(body).Select(e => e.Event).ToList();
        kinds.Count(k => k == "content_block_start").ShouldBe(1);
        kinds.Count(k => k == "message_start").ShouldBe(1);

        var progress = logs.Entries.Where(e => e.Level == LogLevel.Information && e.Message.Contains(" prefill ", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        progress.ShouldNotBeEmpty();
        progress.ShouldAllBe(m => System.Text.RegularExpressions.Regex.IsMatch(m, @"llama-cpp prefill \d+/4000 prompt tokens \(\d+%\)$"));
        progress.Count.ShouldBeLessThanOrEqualTo(4);
        progress[^1].ShouldContain("4000/4000 prompt tokens (100%)");
    }

    [Fact]
    public async Task Llama_cpp_progress_chunks_leave_a_folded_answer_and_a_tool_call_untouched()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp);
        proxy.Fake.Enqueue(ScriptedResponse.Text("plain answer").WithPrefillDelay(TimeSpan.FromMilliseconds(500)));
        using (var answered = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false)))
        {
            using var message = JsonDocument.Parse(await answered.Content.ReadAsStringAsync());
            var content = message.RootElement.GetProperty("content");
            content.GetArrayLength().ShouldBe(1);
            content[0].GetProperty("type").GetString().ShouldBe("text");
            content[0].GetProperty("text").GetString().ShouldBe("plain answer");
        }

        // The fake sends at least one progress chunk (llama-server reports after every prompt batch) before a tool call too.
        proxy.Fake.Enqueue(ScriptedResponse.ToolCalls(("Read", """{"file_path":"/tmp/a"}""")));
        using (var answered = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true)))
        {
            string body = await answered.Content.ReadAsStringAsync();
            using (var asked = proxy.Fake.LastChatRequest.Json())
            {
                asked.RootElement.GetProperty("return_progress").GetBoolean().ShouldBeTrue();
            }

            body.ShouldNotContain("prompt_progress");
            var starts = SseReader.Parse(body).Where(e => e.Event == "content_block_start").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("content_block").GetProperty("type").GetString()).ToList();
            starts.ShouldBe(["tool_use"]);
        }
    }

    /// <summary>
    /// The first live request of the dashboard's feed that shows prefill progress (done, total), read for 10 s at most;
    /// such a request is in its prefill phase with no text yet.
    /// </summary>
    private static async Task<(int Done, int Total)?> FirstPrefillAsync(StreamReader reader)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && await reader.ReadLineAsync() is { } line)
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
                    request.GetProperty("deltas").GetInt32().ShouldBe(0);
                    return (request.GetProperty("prefillDone").GetInt32(), total.GetInt32());
                }
            }
        }

        return null;
    }
}
