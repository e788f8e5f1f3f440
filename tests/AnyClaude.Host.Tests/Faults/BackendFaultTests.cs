using System.Net;
using System.Text.Json;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Faults;

/// <summary>
/// A backend that really misbehaves on loopback: what Claude Code gets back. Faults proven elsewhere (refused
/// connection, a stream cut mid-way, a malformed chunk, a missing [DONE] after a finish_reason) are in
/// <see cref="Http.ErrorMappingTests"/>; docs/reliability.md lists them all.
/// </summary>
public sealed class BackendFaultTests
{
    private const string Chunk = """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}""";

    [Fact]
    public async Task A_backend_that_never_sends_headers_gets_keepalives_then_a_timeout_error_naming_it()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.Generic,
            configure: o => o with { HeartbeatInterval = TimeSpan.FromMilliseconds(100), FirstByteTimeout = TimeSpan.FromSeconds(1.5) });
        proxy.Fake.Enqueue(ScriptedResponse.Text("never").WithHeaderDelay(TimeSpan.FromMinutes(10)));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var items = SseReader.ParseWithComments(await response.Content.ReadAsStringAsync());
        items.Count(i => i.Event == SseReader.CommentEvent).ShouldBeGreaterThanOrEqualTo(5, "keep-alives while waiting for the headers");
        items.Select(i => i.Event).ShouldNotContain("message_start");
        items[^1].Event.ShouldBe("error");
        using var error = JsonDocument.Parse(items[^1].Data);
        error.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("timeout_error");
        string message = error.RootElement.GetProperty("error").GetProperty("message").GetString()!;
        message.ShouldContain($"backend '{proxy.BackendName}'");
        message.ShouldContain(proxy.Fake.BaseUrl.ToString());
        message.ShouldContain("firstByteTimeoutSeconds");

        // Without a stream (Claude Code's fallback) it is an HTTP 504 that tells Claude Code not to retry.
        proxy.Fake.Enqueue(ScriptedResponse.Text("never").WithHeaderDelay(TimeSpan.FromMinutes(10)));
        using var plain = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        plain.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        plain.Headers.GetValues("x-should-retry").ShouldBe(["false"]);
        var (type, plainMessage) = await ErrorBodies.ReadAsync(plain);
        type.ShouldBe("timeout_error");
        plainMessage.ShouldContain("firstByteTimeoutSeconds");

        await proxy.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_long_prefill_after_the_headers_keeps_the_client_alive_and_no_proxy_timeout_fires()
    {
        // The headers come at once; the first token only after 3 s, twice the first-byte timeout: only the time to the
        // headers is bounded, never the prefill.
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            configure: o => o with { HeartbeatInterval = TimeSpan.FromMilliseconds(100), FirstByteTimeout = TimeSpan.FromSeconds(1.5) });
        proxy.Fake.Enqueue(ScriptedResponse.Text("Prefill finally done.").WithPrefillDelay(TimeSpan.FromSeconds(3)));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
        events[0].Event.ShouldBe("message_start");
        int firstBlock = events.FindIndex(e => e.Event == "content_block_start");
        events.Take(firstBlock).Count(e => e.Event == "ping").ShouldBeGreaterThanOrEqualTo(10);
        events.Select(e => e.Event).ShouldNotContain("error");
        events[^1].Event.ShouldBe("message_stop");
        TextOf(events).ShouldBe("Prefill finally done.");
    }

    [Fact]
    public async Task Unknown_chunk_shapes_and_extra_fields_are_tolerated()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Generic);
        proxy.Fake.Enqueue(ScriptedResponse.RawChunks(
            """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m"}""",
            """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel","weird":{"a":[1,2]}},"logprobs":null,"extra":true}],"system_fingerprint":"fp_1","x_vendor":{"k":"v"}}""",
            """{"id":"c1","object":"chat.completion.chunk","choices":[]}""",
            """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{}}],"timings":{"prompt_n":3}}""",
            """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}""",
            """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
            """{"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"unknown":1}}"""));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
        events.Select(e => e.Event).ShouldNotContain("error");
        events[^1].Event.ShouldBe("message_stop");
        TextOf(events).ShouldBe("Hello");
    }

    [Fact]
    public async Task An_empty_stream_with_only_done_is_an_empty_answer_not_a_failure()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Generic);
        proxy.Fake.Enqueue(ScriptedResponse.RawChunks());

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
        events[0].Event.ShouldBe("message_start");
        events.Select(e => e.Event).ShouldNotContain("error");
        events[^1].Event.ShouldBe("message_stop");
        TextOf(events).ShouldBe("");
        await proxy.AssertStillServingAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stream_closed_without_done_or_finish_reason_ends_with_an_error_event(bool empty)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Generic);
        proxy.Fake.Enqueue(empty ? ScriptedResponse.RawChunks().WithoutDone() : ScriptedResponse.RawChunks(Chunk).WithoutDone());

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
        events.Select(e => e.Event).ShouldNotContain("message_stop");
        events[^1].Event.ShouldBe("error");
        events[^1].Data.ShouldContain("api_error");
        events[^1].Data.ShouldContain($"backend '{proxy.BackendName}' ended its stream before the answer was complete");

        // Claude Code's fallback, the same request without a stream: an HTTP error, not a half answer.
        proxy.Fake.Enqueue(empty ? ScriptedResponse.RawChunks().WithoutDone() : ScriptedResponse.RawChunks(Chunk).WithoutDone());
        using var plain = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        ((int)plain.StatusCode).ShouldBe(500);
        (await ErrorBodies.ReadAsync(plain)).Message.ShouldContain("ended its stream before the answer was complete");
        await proxy.AssertStillServingAsync();
    }

    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    [InlineData(ServerFlavor.Generic)]
    public async Task A_tool_call_whose_arguments_never_become_json_is_a_tool_use_with_empty_input(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        // Arguments no repair can make an object (a cut-off object is repaired: see TextToolCallsThroughProxyTests).
        proxy.Fake.Enqueue(ScriptedResponse.ToolCalls(("Write", """file_path = a.txt; content = never closed""")));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using var message = JsonDocument.Parse(body);
        message.RootElement.GetProperty("stop_reason").GetString().ShouldBe("tool_use");
        var block = message.RootElement.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        block.GetProperty("name").GetString().ShouldBe("Write");
        block.GetProperty("input").GetRawText().ShouldBe("{}");
    }

    public static TheoryData<ServerFlavor, int, int, string> Statuses()
    {
        var data = new TheoryData<ServerFlavor, int, int, string>();
        foreach (var flavor in (ServerFlavor[])[ServerFlavor.MlxLm, ServerFlavor.LmStudio, ServerFlavor.Generic])
        {
            data.Add(flavor, 400, 400, "invalid_request_error");
            // mlx-lm reports generation failures as 404 (protocol.md §4); elsewhere a 404 is a wrong URL or model.
            data.Add(flavor, 404, flavor == ServerFlavor.MlxLm ? 500 : 502, "api_error");
            data.Add(flavor, 429, 429, "rate_limit_error");
            data.Add(flavor, 500, 500, "api_error");
            data.Add(flavor, 503, 529, "overloaded_error");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task Each_servers_own_error_bodies_become_anthropic_errors_with_its_message(ServerFlavor flavor, int upstream, int expected, string expectedType)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.ServerError(upstream, $"upstream {upstream} detail"));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        ((int)response.StatusCode).ShouldBe(expected);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe(expectedType);
        message.ShouldContain($"upstream {upstream} detail");
        message.ShouldNotContain("{\"error\"", Case.Sensitive, "the readable message, not the raw JSON body");
    }

    [Theory]
    [InlineData("plain text: model crashed", "plain text: model crashed")]
    [InlineData("<html><body>502 Bad Gateway</body></html>", "502 Bad Gateway")]
    [InlineData("", "(empty body)")]
    [InlineData("""{"detail":"Not Found"}""", "Not Found")]
    public async Task Error_bodies_that_are_not_openai_json_still_give_a_readable_message(string body, string expected)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Generic);
        proxy.Fake.Enqueue(ScriptedResponse.Error(500, body));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        ((int)response.StatusCode).ShouldBe(500);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("api_error");
        message.ShouldContain(expected);
        message.ShouldContain($"backend '{proxy.BackendName}'");
    }

    internal static string TextOf(List<(string? Event, string Data)> events) =>
        string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e =>
        {
            using var json = JsonDocument.Parse(e.Data);
            var delta = json.RootElement.GetProperty("delta");
            return delta.GetProperty("type").GetString() == "text_delta" ? delta.GetProperty("text").GetString() : "";
        }));
}
