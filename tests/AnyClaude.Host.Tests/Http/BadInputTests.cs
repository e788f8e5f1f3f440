using System.Net;
using System.Text;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Http;

/// <summary>Bad Messages bodies: a 400 naming the field (or a 413), nothing sent upstream, and the proxy keeps serving.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "malformed JSON", """{"model": "m", "messages": [}""", "JSON" },
        { "truncated JSON", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}""", "JSON" },
        { "model is a number", """{"model": 42, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}""", "model" },
        { "model missing", """{"max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}""", "model" },
        { "messages missing", """{"model": "m", "max_tokens": 10}""", "messages" },
        { "messages empty", """{"model": "m", "max_tokens": 10, "messages": []}""", "messages" },
        { "content is a number", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": 5}]}""", "messages.0.content" },
        { "role invalid", """{"model": "m", "max_tokens": 10, "messages": [{"role": "robot", "content": "hi"}]}""", "messages.0.role" },
        // Found by FuzzTests (seeds 2 and 3): a null where a string is required was an internal error later on.
        { "system text null", """{"model": "m", "max_tokens": 10, "system": [{"type": "text", "text": null}], "messages": [{"role": "user", "content": "hi"}]}""", "system.0.text" },
        { "stop sequence null", """{"model": "m", "max_tokens": 10, "stop_sequences": ["a", null], "messages": [{"role": "user", "content": "hi"}]}""", "stop_sequences.1" },
        { "block text null", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": [{"type": "text", "text": null}]}]}""", "messages.0.content.0.text" },
        { "tool_use without input (in a message without a role)", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}, {"content": [{"type": "tool_use", "id": "t", "name": "Write"}]}]}""", "messages.1.content.0.input" },
        { "tool_use name null", """{"model": "m", "max_tokens": 10, "messages": [{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": null, "input": {}}]}]}""", "messages.0.content.0.name" },
        { "block text is a number", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}""", "messages.0.content" },
        { "tool_result block text is a number", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": []}]}]}]}""", "messages.0.content" },
        { "system text is an object", """{"model": "m", "max_tokens": 10, "system": [{"type": "text", "text": {}}], "messages": [{"role": "user", "content": "hi"}]}""", "system" },
        { "max_tokens zero", """{"model": "m", "max_tokens": 0, "messages": [{"role": "user", "content": "hi"}]}""", "max_tokens" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_a_400_naming_the_field(string what, string body, string field)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);

        using var response = await proxy.PostMessagesAsync(body);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, what);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain(field, Case.Sensitive, $"{what}: {message}");
        proxy.Fake.ChatRequests.ShouldBeEmpty();

        await proxy.AssertStillServingAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_the_limit_is_a_413_request_too_large(bool chunked)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, configure: o => o with { MaxRequestBodyBytes = 8 * 1024 });
        string body = ProxyHarness.SimpleBody(stream: false, text: new string('x', 32 * 1024));
        // ChunkedContent has no known length, so HttpClient sends it with Transfer-Encoding: chunked.
        HttpContent content = chunked
            ? new ChunkedContent(Encoding.UTF8.GetBytes(body))
            : new StringContent(body, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = content,
        };
        using var response = await proxy.Http.SendAsync(request);
        request.Headers.TransferEncodingChunked.ShouldBe(chunked ? true : null);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("request_too_large");
        message.ShouldContain("maxRequestBodyBytes");
        proxy.Fake.ChatRequests.ShouldBeEmpty();

        await proxy.AssertStillServingAsync();
    }

    public static TheoryData<string, string, string> OverLimitBodies()
    {
        static string Body(string messages, string extra = "") => "{\"model\": \"m\", \"max_tokens\": 10, \"messages\": [" + messages + "]" + extra + "}";
        const string hi = """{"role": "user", "content": "hi"}""";
        string deep = new string('[', 70) + new string(']', 70);
        string blocks = """{"role": "user", "content": [""" + string.Join(",", Enumerable.Repeat("""{"type": "text", "text": "b"}""", 6)) + "]}";
        string tools = "[" + string.Join(",", Enumerable.Range(0, 6).Select(i => "{\"name\": \"t" + i + "\", \"input_schema\": {\"type\": \"object\"}}")) + "]";
        return new()
        {
            { "JSON nested 70 levels", Body(hi, ", \"metadata\": {\"x\": " + deep + "}"), "deeper than 64 levels (maxJsonDepth)" },
            { "6 messages (limit 5)", Body(string.Join(",", Enumerable.Repeat(hi, 6))), "limit of 5 (maxMessages)" },
            { "6 blocks in a message (limit 5)", Body(blocks), "messages.0.content: 6 content blocks exceed the proxy's limit of 5 per message (maxBlocksPerMessage)" },
            { "6 tools (limit 5)", Body(hi, ", \"tools\": " + tools), "tools: 6 tools exceed the proxy's limit of 5 (maxTools)" },
        };
    }

    [Theory]
    [MemberData(nameof(OverLimitBodies))]
    public async Task A_body_over_a_shape_limit_is_a_400_naming_the_limit_on_both_endpoints(string what, string body, string expected)
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            configure: o => o with { Limits = new() { MaxMessages = 5, MaxBlocksPerMessage = 5, MaxTools = 5 } });

        foreach (string path in (string[])["/v1/messages", "/v1/messages/count_tokens"])
        {
            using var response = await proxy.PostMessagesAsync(body, path);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{what} on {path}");
            var (type, message) = await ErrorBodies.ReadAsync(response);
            type.ShouldBe("invalid_request_error");
            message.ShouldContain(expected, Case.Sensitive, $"{what}: {message}");
        }

        proxy.Fake.ChatRequests.ShouldBeEmpty();
        await proxy.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_configured_depth_limit_is_enforced_at_exactly_that_depth()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, configure: o => o with { Limits = new() { MaxJsonDepth = 16 } });
        // The root object is level 1 and metadata level 2, so n arrays nest n + 2 levels deep.
        static string Nested(int arrays) =>
            "{\"model\": \"m\", \"max_tokens\": 10, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"metadata\": {\"x\": "
            + new string('[', arrays) + new string(']', arrays) + "}}";

        using (var atLimit = await proxy.PostMessagesAsync(Nested(14)))
        {
            atLimit.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var over = await proxy.PostMessagesAsync(Nested(15));
        over.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await ErrorBodies.ReadAsync(over);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain("deeper than 16 levels (maxJsonDepth)");
        proxy.Fake.ChatRequests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Requests_at_the_limits_pass()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            configure: o => o with { Limits = new() { MaxMessages = 5, MaxBlocksPerMessage = 5, MaxTools = 5 } });
        string messages = string.Join(",", Enumerable.Range(0, 5).Select(i => i % 2 == 0
            ? """{"role": "user", "content": [{"type": "text", "text": "a"},{"type": "text", "text": "b"},{"type": "text", "text": "c"},{"type": "text", "text": "d"},{"type": "text", "text": "e"}]}"""
            : """{"role": "assistant", "content": "ok"}"""));
        string nested = new string('[', 60) + new string(']', 60);
        string body = "{\"model\": \"m\", \"max_tokens\": 10, \"messages\": [" + messages + "], \"metadata\": {\"x\": " + nested + "}}";

        using var response = await proxy.PostMessagesAsync(body);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invalid_utf8_inside_an_unknown_field_is_a_400_not_an_internal_error()
    {
        // Found by FuzzTests (seed 2267490): the bytes of a kept unknown field were only decoded later, mid-request.
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        byte[] body = [.. "{\"model\": \"m\", \"max_tokens\": 10, \"metadata_x\": \"a"u8, 0xE2, 0x82, .. "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"u8];

        using var response = await proxy.Http.PostAsync("/v1/messages", new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain("not valid UTF-8");
        proxy.Fake.ChatRequests.ShouldBeEmpty();
    }

    /// <summary>A body of unknown length, so it goes out chunked.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (int offset = 0; offset < bytes.Length; offset += 4096)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
