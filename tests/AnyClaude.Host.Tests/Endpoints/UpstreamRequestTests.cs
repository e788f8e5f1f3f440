using System.Net;
using System.Text.Json;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Endpoints;

/// <summary>What the backend receives for a Claude Code-shaped request, as the fake server recorded it.</summary>
public sealed class UpstreamRequestTests
{
    public static TheoryData<ServerFlavor> Flavors => new() { ServerFlavor.MlxLm, ServerFlavor.LmStudio };

    private static async Task<RecordedRequest> SendClaudeCodeTurnAsync(ProxyHarness proxy, bool thinking = true)
    {
        proxy.Fake.Enqueue(ScriptedResponse.Text("Done."));
        var conversation = new ClaudeCodeConversation("Write hello.txt") { Thinking = thinking };
        using var response = await proxy.PostMessagesAsync(conversation.Body(stream: true), "/v1/messages?beta=true");
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        SseReader.Parse(body).Select(e => e.Event).ShouldContain("message_stop");
        return proxy.Fake.LastChatRequest;
    }

    [Fact]
    public async Task Mlx_lm_gets_a_buffered_body_default_model_clamped_max_tokens_and_usage_in_the_stream()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        var upstream = await SendClaudeCodeTurnAsync(proxy);

        upstream.HadContentLength.ShouldBeTrue();
        upstream.WasChunked.ShouldBeFalse();
        using var json = upstream.Json();
        var root = json.RootElement;
        root.GetProperty("model").GetString().ShouldBe("default_model");
        int maxTokens = root.GetProperty("max_completion_tokens").GetInt32();
        maxTokens.ShouldBe(16384); // Claude Code asked for 64000; the mlx-lm backend's default limit applies
        root.TryGetProperty("max_tokens", out _).ShouldBeFalse();
        root.GetProperty("stream").GetBoolean().ShouldBeTrue();
        root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Lm_studio_gets_the_model_it_lists_first_and_reasoning_effort_when_thinking()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LmStudio, fakeOptions: new FakeServerOptions { Models = ["qwen3-coder-30b", "gpt-oss-20b"] });
        var upstream = await SendClaudeCodeTurnAsync(proxy, thinking: true);

        using var json = upstream.Json();
        json.RootElement.GetProperty("model").GetString().ShouldBe("qwen3-coder-30b");
        json.RootElement.TryGetProperty("reasoning_effort", out var effort).ShouldBeTrue(upstream.BodyText);
        effort.GetString().ShouldNotBeNullOrEmpty();

        var withoutThinking = await SendClaudeCodeTurnAsync(proxy, thinking: false);
        using var json2 = withoutThinking.Json();
        // Thinking disabled: no effort, or an explicit "none".
        if (json2.RootElement.TryGetProperty("reasoning_effort", out var off))
        {
            off.GetString().ShouldBe("none", withoutThinking.BodyText);
        }
    }

    [Fact]
    public async Task Lm_studio_gets_the_configured_model_when_one_is_set()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LmStudio,
            fakeOptions: new FakeServerOptions { Models = ["qwen3-coder-30b", "gpt-oss-20b"] },
            configureBackend: b => b with { Model = "gpt-oss-20b" });
        var upstream = await SendClaudeCodeTurnAsync(proxy);

        using var json = upstream.Json();
        json.RootElement.GetProperty("model").GetString().ShouldBe("gpt-oss-20b");
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task No_cache_control_no_billing_header_and_one_system_message_first(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        var upstream = await SendClaudeCodeTurnAsync(proxy);

        string text = upstream.BodyText;
        text.ShouldNotContain("cache_control");
        text.ShouldNotContain("x-anthropic-billing-header");
        upstream.Path.ShouldBe("/v1/chat/completions");

        using var json = upstream.Json();
        var messages = json.RootElement.GetProperty("messages").EnumerateArray().ToList();
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        string system = messages[0].GetProperty("content").GetString()!;
        system.ShouldContain(ClaudeCodeConversation.IdentityText);
        system.ShouldContain(ClaudeCodeConversation.MainPromptText);
        messages.Count(m => m.GetProperty("role").GetString() == "system").ShouldBe(1);
    }

    [Fact]
    public async Task Without_a_prompt_cache_the_mid_conversation_system_message_stays_in_place_as_user_side_text()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LmStudio);
        var upstream = await SendClaudeCodeTurnAsync(proxy);

        using var json = upstream.Json();
        var messages = json.RootElement.GetProperty("messages").EnumerateArray().ToList();
        messages[1].GetProperty("role").GetString().ShouldBe("user");
        messages[1].GetRawText().ShouldContain("Write hello.txt");
        messages[1].GetRawText().ShouldNotContain(ClaudeCodeConversation.MidSystemText);
        messages[2].GetProperty("role").GetString().ShouldBe("user");
        messages[2].GetProperty("content").GetString().ShouldBe($"<system-reminder>\n{ClaudeCodeConversation.MidSystemText}\n</system-reminder>");
    }

    [Fact]
    public async Task With_a_prompt_cache_the_environment_system_message_goes_into_the_first_prompt_ahead_of_the_users_words()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        var upstream = await SendClaudeCodeTurnAsync(proxy);

        using var json = upstream.Json();
        var messages = json.RootElement.GetProperty("messages").EnumerateArray().ToList();
        messages.Count.ShouldBe(2);
        messages[1].GetProperty("role").GetString().ShouldBe("user");
        string first = messages[1].GetProperty("content").GetString()!;
        first.ShouldEndWith($"<system-reminder>\n{ClaudeCodeConversation.MidSystemText}\n</system-reminder>\n\nWrite hello.txt");
    }
}
