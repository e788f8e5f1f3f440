using System.Net;
using System.Text.Json;
using AnyClaude.TestSupport.NativeServers;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.NativeBackends;

/// <summary>The <c>anthropic</c> kind through the real proxy, against a fake Messages server (llama.cpp's, Ollama's, LM Studio's).</summary>
public sealed class AnthropicPassthroughTests
{
    private static Task<NativeSession<FakeAnthropicServer>> StartAsync(FakeAnthropicOptions? options = null) =>
        NativeSession<FakeAnthropicServer>.StartAsync(FakeAnthropicServer.StartAsync(options), fake => fake.RootUrl, "anthropic");

    [Fact]
    public async Task A_streamed_answer_arrives_as_the_servers_events_and_the_body_is_cleaned()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Text("Hello there, from the passthrough."));

        var conversation = new ClaudeCodeConversation("Say hello.");
        using var response = await proxy.PostAsync(conversation.Body(stream: true));
        string sse = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, sse);
        var events = SseReader.Parse(sse);
        events.Select(e => e.Event).Where(e => e != "ping").ShouldBe(
            ["message_start", "content_block_start", .. Enumerable.Repeat("content_block_delta", 6), "content_block_stop", "message_delta", "message_stop"]);
        string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString()))
            .ShouldBe("Hello there, from the passthrough.");
        JsonDocument.Parse(events[0].Data).RootElement.GetProperty("message").GetProperty("model").GetString().ShouldBe("claude-opus-4-5");

        var upstream = fake.MessageRequests.ShouldHaveSingleItem();
        using var body = upstream.Json();
        var root = body.RootElement;
        root.GetProperty("model").GetString().ShouldBe("qwen3-coder:30b", "the model the server lists, not Claude Code's name");
        root.GetProperty("stream").GetBoolean().ShouldBeTrue();
        upstream.BodyText.ShouldNotContain("cache_control");
        upstream.BodyText.ShouldNotContain("x-anthropic-billing-header");
        root.TryGetProperty("metadata", out var _).ShouldBeFalse();
        root.TryGetProperty("context_management", out var _).ShouldBeFalse();
        root.GetProperty("system").EnumerateArray().Select(b => b.GetProperty("text").GetString())
            .ShouldBe([ClaudeCodeConversation.IdentityText, ClaudeCodeConversation.MainPromptText]);
        upstream.Header("anthropic-version").ShouldBe("2023-06-01");
    }

    [Fact]
    public async Task Claude_codes_environment_message_goes_into_the_first_prompt_ahead_of_the_users_words()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;

        using var response = await proxy.PostAsync(new ClaudeCodeConversation("Do it.").Body(stream: false));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        using var body = fake.MessageRequests.ShouldHaveSingleItem().Json();
        var messages = body.RootElement.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(1);
        messages[0].GetProperty("content").EnumerateArray().Select(b => b.GetProperty("text").GetString()).ShouldBe(
        [
            "<system-reminder>\nAs you answer, use the context.\n</system-reminder>",
            $"<system-reminder>\n{ClaudeCodeConversation.MidSystemText}\n</system-reminder>",
            "Do it.",
        ]);
    }

    [Fact]
    public async Task A_later_system_message_stays_in_place_as_a_user_side_reminder()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        var conversation = new ClaudeCodeConversation("Do it.", midConversationSystem: false);
        conversation.Append("Done.", "Now the tests.");
        var request = System.Text.Json.Nodes.JsonNode.Parse(conversation.Body(stream: false))!;
        request["messages"]!.AsArray().Add(new System.Text.Json.Nodes.JsonObject { ["role"] = "system", ["content"] = "You are powered by the model qwen." });

        using var response = await proxy.PostAsync(request.ToJsonString());
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

        using var body = fake.MessageRequests.ShouldHaveSingleItem().Json();
        var messages = body.RootElement.GetProperty("messages");
        messages.GetArrayLength().ShouldBe(4);
        messages[3].GetProperty("role").GetString().ShouldBe("user");
        messages[3].GetProperty("content")[0].GetProperty("text").GetString()
            .ShouldBe("<system-reminder>\nYou are powered by the model qwen.\n</system-reminder>");
    }

    [Fact]
    public async Task Adaptive_thinking_goes_as_enabled_and_a_thinking_block_comes_back_with_its_signature()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(new NativeReply { Parts = [new NativePart.Thinking("Let me think about it.", "sig-123"), new NativePart.Text("Done.")] });

        using var response = await proxy.PostAsync(new ClaudeCodeConversation("Think.").Body(stream: false));
        string json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json);

        using var answer = JsonDocument.Parse(json);
        var content = answer.RootElement.GetProperty("content");
        content[0].GetProperty("type").GetString().ShouldBe("thinking");
        content[0].GetProperty("thinking").GetString().ShouldBe("Let me think about it.");
        content[0].GetProperty("signature").GetString().ShouldBe("sig-123");
        content[1].GetProperty("text").GetString().ShouldBe("Done.");

        using var body = fake.MessageRequests.ShouldHaveSingleItem().Json();
        var thinking = body.RootElement.GetProperty("thinking");
        thinking.GetProperty("type").GetString().ShouldBe("enabled");
        thinking.GetProperty("budget_tokens").GetInt32().ShouldBeLessThan(body.RootElement.GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task A_tool_call_streamed_in_pieces_folds_into_one_tool_use_with_its_input()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(new NativeReply { Parts = [new NativePart.Text("Reading."), new NativePart.ToolCall("toolu_01", "Read", """{"file_path":"/tmp/project/a.txt"}""")] });

        using var response = await proxy.PostAsync(new ClaudeCodeConversation("Read a.txt.").Body(stream: false));
        string json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json);

        using var answer = JsonDocument.Parse(json);
        answer.RootElement.GetProperty("stop_reason").GetString().ShouldBe("tool_use");
        var call = answer.RootElement.GetProperty("content")[1];
        call.GetProperty("type").GetString().ShouldBe("tool_use");
        call.GetProperty("id").GetString().ShouldBe("toolu_01");
        call.GetProperty("name").GetString().ShouldBe("Read");
        call.GetProperty("input").GetProperty("file_path").GetString().ShouldBe("/tmp/project/a.txt");
    }

    [Fact]
    public async Task Cache_reads_the_server_reports_reach_Claude_Code()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Text("ok") with { InputTokens = 12, CachedTokens = 3000, OutputTokens = 2 });

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false));
        string json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json);
        using var answer = JsonDocument.Parse(json);
        var usage = answer.RootElement.GetProperty("usage");
        usage.GetProperty("input_tokens").GetInt32().ShouldBe(12);
        usage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(3000);
        usage.GetProperty("output_tokens").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Each_turns_body_keeps_system_tools_and_every_earlier_message_byte_for_byte()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        var conversation = new ClaudeCodeConversation("Create a small web server.");
        await session.PlayTurnsAsync(conversation, turns: 3, reply => fake.Enqueue(reply));

        var bodies = fake.MessageRequests.Select(r => r.Body).ToList();
        bodies.Count.ShouldBe(3);
        for (int i = 0; i + 1 < bodies.Count; i++)
        {
            NativeBodies.Raw(bodies[i], "system").ShouldBe(NativeBodies.Raw(bodies[i + 1], "system"));
            NativeBodies.Raw(bodies[i], "tools").ShouldBe(NativeBodies.Raw(bodies[i + 1], "tools"));
            int end = NativeBodies.EndOfMessages(bodies[i]);
            bodies[i].AsSpan().CommonPrefixLength(bodies[i + 1]).ShouldBeGreaterThanOrEqualTo(end,
                $"turn {i + 2}'s messages do not start with turn {i + 1}'s");
        }
    }

    [Fact]
    public async Task Count_tokens_asks_a_server_that_counts_and_estimates_for_one_that_answers_404_once()
    {
        await using (var session = await StartAsync(new FakeAnthropicOptions { CountTokens = true }))
        {
            var (counting, countingProxy) = session;
            using var response = await countingProxy.PostAsync(ProxyHarness.SimpleBody(stream: false), "/v1/messages/count_tokens");
            string json = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, json);
            var asked = counting.Requests.Where(r => r.Path == "/v1/messages/count_tokens").ShouldHaveSingleItem();
            JsonDocument.Parse(json).RootElement.GetProperty("input_tokens").GetInt32().ShouldBe(asked.Body.Length / 5);
            asked.BodyText.ShouldNotContain("max_tokens");
        }

        await using (var session = await StartAsync(new FakeAnthropicOptions { CountTokens = false }))
        {
            var (plain, plainProxy) = session;
            for (int i = 0; i < 2; i++)
            {
                using var response = await plainProxy.PostAsync(ProxyHarness.SimpleBody(stream: false, text: new string('x', 4000)), "/v1/messages/count_tokens");
                string json = await response.Content.ReadAsStringAsync();
                response.StatusCode.ShouldBe(HttpStatusCode.OK, json);
                JsonDocument.Parse(json).RootElement.GetProperty("input_tokens").GetInt32().ShouldBeInRange(1000, 1100);
            }

            plain.Requests.Count(r => r.Path == "/v1/messages/count_tokens").ShouldBe(1, "a 404 is remembered");
        }
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "prompt is too long: 40000 tokens > 32768 maximum", 400, "invalid_request_error")]
    [InlineData(400, "invalid_request_error", "tools: unsupported schema", 400, "invalid_request_error")]
    [InlineData(529, "overloaded_error", "the server is busy", 529, "overloaded_error")]
    [InlineData(503, "overloaded_error", "model is loading", 529, "overloaded_error")]
    [InlineData(500, "api_error", "llama_decode failed", 500, "api_error")]
    [InlineData(401, "authentication_error", "invalid api key", 502, "api_error")]
    public async Task An_Anthropic_error_from_the_server_keeps_its_type_and_status(int status, string type, string message, int expectedStatus, string expectedType)
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Error(status, FakeAnthropicOptions.ErrorBody(type, message)));

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true));
        ((int)response.StatusCode).ShouldBe(expectedStatus);
        var (errorType, errorMessage) = await ErrorBodies.ReadAsync(response);
        errorType.ShouldBe(expectedType);
        errorMessage.ShouldContain(message);
        if (status == 401)
        {
            errorMessage.ShouldContain("API key");
        }
    }

    [Fact]
    public async Task A_server_without_a_messages_endpoint_gets_a_502_that_says_so()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Error(404, "404 page not found"));

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false));
        ((int)response.StatusCode).ShouldBe(502);
        var (_, message) = await ErrorBodies.ReadAsync(response);
        message.ShouldContain("no Anthropic Messages endpoint");
    }

    [Fact]
    public async Task A_refused_connection_is_the_same_502_the_other_backends_give()
    {
        await using var proxy = await NativeProxy.StartAsync("anthropic", new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/"));

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true));
        ((int)response.StatusCode).ShouldBe(502);
        response.Headers.GetValues("x-should-retry").ShouldBe(["false"]);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("api_error");
        message.ShouldContain("refused the connection");
    }

    [Fact]
    public async Task An_error_event_mid_stream_reaches_Claude_Code_as_an_error_event()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Text("partial") with { StreamErrorMessage = "the runner crashed" });

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true));
        string sse = await response.Content.ReadAsStringAsync();
        SseReader.Parse(sse).Last(e => e.Event == "error").Data.ShouldContain("the runner crashed");
        SseReader.Parse(sse).ShouldNotContain(e => e.Event == "message_stop");
    }

    [Fact]
    public async Task A_stream_cut_before_message_stop_is_an_error_not_a_short_answer()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Text("partial") with { CutAfterFirstPart = true });

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false));
        ((int)response.StatusCode).ShouldBeGreaterThanOrEqualTo(500);
    }

    [Fact]
    public async Task Discovery_reads_the_context_window_and_model_from_the_servers_model_list()
    {
        await using var session = await StartAsync(new FakeAnthropicOptions { Models = [("Qwen/Qwen3-Coder-30B", 65536)] });
        var (fake, proxy) = session;

        using var ready = await proxy.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
        proxy.Backend.Capabilities.ContextLength.ShouldBe(65536);

        using var models = await proxy.Http.GetAsync("/v1/models");
        (await models.Content.ReadAsStringAsync()).ShouldContain("Qwen/Qwen3-Coder-30B");
    }
}
