using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport.NativeServers;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.NativeBackends;

/// <summary>The <c>ollama</c> kind through the real proxy, against a fake of Ollama's native API.</summary>
public sealed class OllamaTests
{
    private static Task<NativeSession<FakeOllamaServer>> StartAsync(
        Func<BackendOptions, BackendOptions>? configure = null, FakeOllamaOptions? options = null) =>
        NativeSession<FakeOllamaServer>.StartAsync(FakeOllamaServer.StartAsync(options), fake => fake.RootUrl, "ollama", configure);

    [Fact]
    public async Task A_streamed_turn_goes_to_api_chat_with_the_window_keep_alive_and_no_truncation()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Text("Hello from Ollama, natively."));

        using var response = await proxy.PostAsync(new ClaudeCodeConversation("Say hello.") { Thinking = true }.Body(stream: true));
        string sse = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, sse);
        var events = SseReader.Parse(sse).Where(e => e.Event != "ping").ToList();
        events[0].Event.ShouldBe("message_start");
        events[^1].Event.ShouldBe("message_stop");
        string.Concat(events.Where(e => e.Event == "content_block_delta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString()))
            .ShouldBe("Hello from Ollama, natively.");

        var chat = fake.ChatRequests.ShouldHaveSingleItem();
        using var body = chat.Json();
        var root = body.RootElement;
        root.GetProperty("model").GetString().ShouldBe("qwen3-coder:30b", "the first model /api/tags lists");
        root.GetProperty("options").GetProperty("num_ctx").GetInt32().ShouldBe(32768, "the trained 262144, capped at the default window");
        root.GetProperty("truncate").GetBoolean().ShouldBeFalse();
        root.GetProperty("keep_alive").GetString().ShouldBe("30m");
        root.GetProperty("stream").GetBoolean().ShouldBeTrue();
        root.TryGetProperty("think", out var _).ShouldBeFalse("qwen3-coder has no thinking capability: think would be a 400");
        chat.BodyText.ShouldNotContain("cache_control");
        chat.BodyText.ShouldNotContain("x-anthropic-billing-header");

        var messages = root.GetProperty("messages");
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[0].GetProperty("content").GetString().ShouldBe($"{ClaudeCodeConversation.IdentityText}\n\n{ClaudeCodeConversation.MainPromptText}");
        // Claude Code's environment message (messages[1]) went into the first prompt, ahead of the user's words.
        messages.GetArrayLength().ShouldBe(2);
        messages[1].GetProperty("role").GetString().ShouldBe("user");
        messages[1].GetProperty("content").GetString()!.ShouldContain($"<system-reminder>\n{ClaudeCodeConversation.MidSystemText}\n</system-reminder>\n\n");
        var tool = root.GetProperty("tools")[0];
        tool.GetProperty("type").GetString().ShouldBe("function");
        tool.GetProperty("function").GetProperty("name").GetString().ShouldBe("Write");
        tool.GetProperty("function").GetProperty("parameters").GetProperty("required")[0].GetString().ShouldBe("file_path");
        fake.SilentTruncations.ShouldBe(0);
    }

    [Fact]
    public async Task A_long_prompt_is_not_cut_to_Ollamas_small_default_window()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;

        // ~10k tokens: more than the 4096 Ollama would load the model with, less than the window asked for.
        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false, text: new string('y', 40_000)));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        fake.SilentTruncations.ShouldBe(0);
    }

    [Fact]
    public async Task A_prompt_beyond_the_window_is_a_prompt_too_long_error_Claude_Code_compacts_on()
    {
        await using var session = await StartAsync(b => b with { ContextLength = 2048 });
        var (fake, proxy) = session;

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true, text: new string('y', 40_000)));
        ((int)response.StatusCode).ShouldBe(400);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldStartWith("prompt is too long");
        message.ShouldEndWith("tokens > 2048 maximum");
        fake.ChatRequests.ShouldBeEmpty("a prompt that cannot fit is refused before any upstream call");

        using var small = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false, text: "Hi"));
        small.StatusCode.ShouldBe(HttpStatusCode.OK, await small.Content.ReadAsStringAsync());
        using var body = fake.ChatRequests.ShouldHaveSingleItem().Json();
        body.RootElement.GetProperty("options").GetProperty("num_ctx").GetInt32().ShouldBe(2048, "the configured context length wins");
        fake.SilentTruncations.ShouldBe(0);
    }

    [Fact]
    public async Task A_whole_tool_call_becomes_a_tool_use_and_its_result_goes_back_as_a_named_tool_message()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(new NativeReply { Parts = [new NativePart.ToolCall("call_7x2k", "Read", """{"file_path":"/tmp/project/a.txt"}""")] });

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false, text: "Read a.txt"));
        string json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json);
        using var answer = JsonDocument.Parse(json);
        answer.RootElement.GetProperty("stop_reason").GetString().ShouldBe("tool_use");
        var call = answer.RootElement.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        call.GetProperty("id").GetString().ShouldBe("call_7x2k");
        call.GetProperty("name").GetString().ShouldBe("Read");
        call.GetProperty("input").GetProperty("file_path").GetString().ShouldBe("/tmp/project/a.txt");

        var followUp = new JsonObject
        {
            ["model"] = "claude-sonnet-4-5",
            ["max_tokens"] = 256,
            ["messages"] = new JsonArray
            {
                new JsonObject { ["role"] = "user", ["content"] = "Read a.txt" },
                new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray { JsonNode.Parse(call.GetRawText()) } },
                new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray
                    {
                        new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = "call_7x2k", ["content"] = "file contents" },
                        new JsonObject { ["type"] = "text", ["text"] = "Summarise it." },
                    },
                },
            },
        };
        using var second = await proxy.PostAsync(followUp.ToJsonString());
        second.StatusCode.ShouldBe(HttpStatusCode.OK, await second.Content.ReadAsStringAsync());

        using var body = fake.ChatRequests[^1].Json();
        var messages = body.RootElement.GetProperty("messages");
        var assistant = messages[1];
        assistant.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetProperty("file_path").GetString()
            .ShouldBe("/tmp/project/a.txt", "Ollama takes the arguments as an object");
        messages[2].GetProperty("role").GetString().ShouldBe("tool");
        messages[2].GetProperty("tool_name").GetString().ShouldBe("Read");
        messages[2].GetProperty("tool_call_id").GetString().ShouldBe("call_7x2k");
        messages[2].GetProperty("content").GetString().ShouldBe("file contents");
        messages[3].GetProperty("content").GetString().ShouldBe("Summarise it.");
    }

    [Fact]
    public async Task A_thinking_model_gets_think_and_its_thinking_comes_back_as_a_signed_thinking_block()
    {
        await using var session = await StartAsync(b => b with { Model = "qwen3:8b" });
        var (fake, proxy) = session;
        fake.Enqueue(new NativeReply { Parts = [new NativePart.Thinking("Weighing the options."), new NativePart.Text("Pick B.")] });

        using var response = await proxy.PostAsync(new ClaudeCodeConversation("Choose.") { Thinking = true }.Body(stream: false));
        string json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json);
        using var answer = JsonDocument.Parse(json);
        var content = answer.RootElement.GetProperty("content");
        content[0].GetProperty("type").GetString().ShouldBe("thinking");
        content[0].GetProperty("thinking").GetString().ShouldBe("Weighing the options.");
        content[0].GetProperty("signature").GetString().ShouldNotBeNullOrEmpty();
        content[1].GetProperty("text").GetString().ShouldBe("Pick B.");
        using (var body = fake.ChatRequests[^1].Json())
        {
            body.RootElement.GetProperty("think").GetBoolean().ShouldBeTrue();
            body.RootElement.GetProperty("options").GetProperty("num_ctx").GetInt32().ShouldBe(32768);
        }

        using var off = await proxy.PostAsync(new ClaudeCodeConversation("Choose.") { Thinking = false }.Body(stream: false));
        off.StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var body = fake.ChatRequests[^1].Json())
        {
            body.RootElement.GetProperty("think").GetBoolean().ShouldBeFalse();
        }
    }

    [Fact]
    public async Task Usage_comes_from_the_eval_counts_and_the_backend_says_it_reports_no_cached_tokens()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Text("ok") with { InputTokens = 1234, OutputTokens = 56, EndReason = "length" });

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false));
        string json = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, json);
        using var answer = JsonDocument.Parse(json);
        answer.RootElement.GetProperty("stop_reason").GetString().ShouldBe("max_tokens", "done_reason length");
        var usage = answer.RootElement.GetProperty("usage");
        usage.GetProperty("input_tokens").GetInt32().ShouldBe(1234);
        usage.GetProperty("output_tokens").GetInt32().ShouldBe(56);
        usage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(0);
        proxy.Backend.Capabilities.ReportsCachedTokens.ShouldBe(false);
    }

    [Fact]
    public async Task Discovery_reads_the_window_and_capabilities_from_api_show()
    {
        var models = new FakeOllamaOptions
        {
            Models = [new("llava:13b", "llama", 4096, ["completion", "vision"])],
        };
        await using var session = await StartAsync(options: models);
        var (fake, proxy) = session;

        using var ready = await proxy.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
        var capabilities = proxy.Backend.Capabilities;
        capabilities.ContextLength.ShouldBe(4096, "a trained window below the default is the window");
        capabilities.Images.ShouldBeTrue();
        capabilities.Tools.ShouldBeFalse();
        capabilities.Reasoning.ShouldBeFalse();
        capabilities.ReportsCachedTokens.ShouldBe(false);

        using var list = await proxy.Http.GetAsync("/v1/models");
        (await list.Content.ReadAsStringAsync()).ShouldContain("llava:13b");
    }

    [Fact]
    public async Task Each_turns_body_keeps_the_tools_and_every_earlier_message_byte_for_byte()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        var conversation = new ClaudeCodeConversation("Create a small web server.");
        await session.PlayTurnsAsync(conversation, turns: 3, reply => fake.Enqueue(reply));

        var bodies = fake.ChatRequests.Select(r => r.Body).ToList();
        for (int i = 0; i + 1 < bodies.Count; i++)
        {
            int end = NativeBodies.EndOfMessages(bodies[i]);
            bodies[i].AsSpan().CommonPrefixLength(bodies[i + 1]).ShouldBeGreaterThanOrEqualTo(end, $"turn {i + 2}'s messages do not start with turn {i + 1}'s");
            NativeBodies.Raw(bodies[i], "tools").ShouldBe(NativeBodies.Raw(bodies[i + 1], "tools"));
        }
    }

    [Fact]
    public async Task A_missing_model_says_what_to_pull()
    {
        await using var session = await StartAsync(b => b with { Model = "qwen2.5-coder:7b" });
        var (fake, proxy) = session;

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true));
        ((int)response.StatusCode).ShouldBe(502);
        response.Headers.GetValues("x-should-retry").ShouldBe(["false"]);
        var (_, message) = await ErrorBodies.ReadAsync(response);
        message.ShouldContain("ollama pull qwen2.5-coder:7b");
    }

    [Fact]
    public async Task A_refused_connection_is_the_same_502_the_other_backends_give()
    {
        await using var proxy = await NativeProxy.StartAsync("ollama", new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/"));

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true));
        ((int)response.StatusCode).ShouldBe(502);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("api_error");
        message.ShouldContain("refused the connection");
        message.ShouldContain("ollama serve");
    }

    [Fact]
    public async Task An_error_line_mid_stream_reaches_Claude_Code_as_an_error_event()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Text("partial") with { StreamErrorMessage = "an error was encountered while running the model: unexpected EOF" });

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true));
        string sse = await response.Content.ReadAsStringAsync();
        var events = SseReader.Parse(sse);
        events.Last(e => e.Event == "error").Data.ShouldContain("unexpected EOF");
        events.ShouldNotContain(e => e.Event == "message_stop");
    }

    [Fact]
    public async Task A_busy_server_is_an_overloaded_error()
    {
        await using var session = await StartAsync();
        var (fake, proxy) = session;
        fake.Enqueue(NativeReply.Error(503, """{"error":"server busy, please try again.  maximum pending requests exceeded"}"""));

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: true));
        ((int)response.StatusCode).ShouldBe(529);
        (await ErrorBodies.ReadAsync(response)).Type.ShouldBe("overloaded_error");
    }

    [Fact]
    public async Task An_empty_keep_alive_setting_leaves_the_servers_own()
    {
        await using var session = await StartAsync(b => b with { Extra = new Dictionary<string, string?> { ["keepAlive"] = "" } });
        var (fake, proxy) = session;

        using var response = await proxy.PostAsync(ProxyHarness.SimpleBody(stream: false));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var body = fake.ChatRequests.ShouldHaveSingleItem().Json();
        body.RootElement.TryGetProperty("keep_alive", out var _).ShouldBeFalse();
    }
}
