using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>Per request and per conversation: prompt tokens, cached tokens, the cached share and the strategy, in the log and in status.</summary>
public sealed class CacheVisibilityTests
{
    [Fact]
    public async Task The_log_line_and_status_show_each_requests_cache_and_the_conversations_sums()
    {
        var logs = new CapturedLogs();
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"], logging: logs.Configure);
        var cache = SlotPrefixCache.On(proxy["main"]);

        using (await proxy.PostAsync(ConversationTurns.Turn(1)))
        {
        }

        using (await proxy.PostAsync(RequestBodies.Title()))
        {
        }

        using (var second = await proxy.PostAsync(ConversationTurns.Turn(2)))
        {
            await second.Content.ReadAsStringAsync();
        }

        var (_, prompt1, _, _) = cache.Seen[0];
        var (_, prompt2, cached2, _) = cache.Seen[1];
        cache.Seen.Count.ShouldBe(2);
        var lines = logs.Entries.Where(e => e.Level == LogLevel.Information && e.Message.Contains(" ttft=")).Select(e => e.Message).ToList();
        lines.Count.ShouldBe(3);
        lines[1].ShouldContain("anyclaude claude-haiku-5-5");
        lines[1].ShouldContain("cache=local-answer");
        lines[2].ShouldContain($"in={prompt2 - cached2} cached={cached2} ({100.0 * cached2 / prompt2:0}%)");
        lines[2].ShouldMatch(@"cache=shared conversation=session:5e55-1011/[0-9a-f]{8} 2 req \d+% cached$");
        lines[2].ShouldEndWith($" 2 req {100.0 * cached2 / (prompt1 + prompt2):0}% cached");

        var output = new StringWriter();
        (await ControlCommands.StatusAsync(proxy.Http.BaseAddress!, null, output, TextWriter.Null)).ShouldBe(0);
        string text = output.ToString();
        text.ShouldMatch(@"(?m)^  \d\d:\d\d:\d\d anyclaude\s+claude-haiku-5-5\s+title\s+200 ttft \d\.\d{3} s, cached - \(local-answer\)$");
        text.ShouldContain($"session:5e55-1011");
        text.ShouldContain($"2 requests, {cached2} of {prompt1 + prompt2} prompt tokens cached");
    }
}
