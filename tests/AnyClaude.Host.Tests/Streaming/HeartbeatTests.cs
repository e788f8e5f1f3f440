using System.Net;
using Anthropic.Models.Messages;
using Anthropic;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Streaming;

/// <summary>While the backend is silent the client gets comments (before message_start) or pings (after it).</summary>
public sealed class HeartbeatTests
{
    private static Task<ProxyHarness> StartAsync() =>
        ProxyHarness.StartAsync(ServerFlavor.MlxLm, configure: o => o with { HeartbeatInterval = TimeSpan.FromMilliseconds(100) });

    private static MessageCreateParams Ask() => new() { Model = "claude-sonnet-4-5", MaxTokens = 100, Messages = [new UserMessageParam("Hi")] };

    [Fact]
    public async Task A_slow_backend_response_gets_comments_before_message_start()
    {
        await using var proxy = await StartAsync();
        proxy.Fake.Enqueue(ScriptedResponse.Text("Finally here.").WithHeaderDelay(TimeSpan.FromMilliseconds(600)));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var items = SseReader.ParseWithComments(await response.Content.ReadAsStringAsync());
        int start = items.FindIndex(i => i.Event == "message_start");
        start.ShouldBeGreaterThan(0);
        items.Take(start).ShouldAllBe(i => i.Event == SseReader.CommentEvent);
        items.Select(i => i.Event).ShouldNotContain("ping");
        items[^1].Event.ShouldBe("message_stop");
        // Each frame's JSON has exactly the Anthropic "type" field (no CLR-cased duplicate).
        items.Where(i => i.Event != SseReader.CommentEvent).ShouldAllBe(i => !i.Data.Contains("\"Type\""));

        proxy.Fake.Enqueue(ScriptedResponse.Text("Finally here.").WithHeaderDelay(TimeSpan.FromMilliseconds(600)));
        using var client = proxy.CreateSdkClient();
        var message = await client.Messages.CreateStreaming(Ask()).Aggregate();
        message.Content[0].TryPickText(out var text).ShouldBeTrue();
        text!.Text.ShouldBe("Finally here.");
    }

    [Fact]
    public async Task A_slow_prefill_gets_pings_after_message_start()
    {
        await using var proxy = await StartAsync();
        proxy.Fake.Enqueue(ScriptedResponse.Text("Prefill done.").WithPrefillDelay(TimeSpan.FromMilliseconds(600)));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
        events[0].Event.ShouldBe("message_start");
        int firstBlock = events.FindIndex(e => e.Event == "content_block_start");
        events.Take(firstBlock).Count(e => e.Event == "ping").ShouldBeGreaterThanOrEqualTo(1);
        events.Where(e => e.Event == "ping").ShouldAllBe(e => e.Data.Contains("\"type\":\"ping\""));
        events[^1].Event.ShouldBe("message_stop");

        proxy.Fake.Enqueue(ScriptedResponse.Text("Prefill done.").WithPrefillDelay(TimeSpan.FromMilliseconds(600)));
        using var client = proxy.CreateSdkClient();
        var message = await client.Messages.CreateStreaming(Ask()).Aggregate();
        message.Content[0].TryPickText(out var text).ShouldBeTrue();
        text!.Text.ShouldBe("Prefill done.");
        message.StopReason!.Raw().ShouldBe("end_turn");
    }
}
