using System.Net;
using System.Text.Json;
using AnyClaude.TestSupport;
using static AnyClaude.Host.Tests.Backends.BackendKindKit;

namespace AnyClaude.Host.Tests.Backends;

/// <summary>The <c>vllm</c> kind through the real proxy, against a fake <c>vllm serve</c>.</summary>
public sealed class VllmBackendTests
{
    private static readonly FakeServerOptions Served = new() { Models = ["Qwen/Qwen3-Coder-30B-A3B-Instruct"] };

    [Fact]
    public async Task A_streamed_answer_asks_for_the_served_model_and_turns_reasoning_into_thinking()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: Served);
        proxy.Fake.Enqueue(ScriptedResponse.Text("Sunny, 24 degrees.").WithReasoning("Look it up.").WithUsage(500, 6, 400));

        var (blocks, usage, stop) = Fold(await PostOkAsync(proxy, Body(stream: true, thinking: true)));

        blocks.Select(b => b.GetProperty("type").GetString()).ShouldBe(["thinking", "text"]);
        blocks[0].GetProperty("text").GetString().ShouldBe("Look it up.");
        blocks[1].GetProperty("text").GetString().ShouldBe("Sunny, 24 degrees.");
        stop.ShouldBe("end_turn");
        // Without --enable-prompt-tokens-details vLLM reports no cached tokens: all 500 are input.
        usage.GetProperty("input_tokens").GetInt32().ShouldBe(500);
        usage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(0);

        using var upstream = proxy.Fake.LastChatRequest.Json();
        upstream.RootElement.GetProperty("model").GetString().ShouldBe("Qwen/Qwen3-Coder-30B-A3B-Instruct");
        upstream.RootElement.GetProperty("chat_template_kwargs").GetProperty("enable_thinking").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task With_prompt_tokens_details_the_cached_tokens_are_cache_reads()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: Served with { PromptTokensDetails = true });
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok").WithUsage(500, 1, 448));

        using var message = JsonDocument.Parse(await PostOkAsync(proxy, Body(stream: false)));

        var usage = message.RootElement.GetProperty("usage");
        usage.GetProperty("input_tokens").GetInt32().ShouldBe(52);
        usage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(448);
        message.RootElement.GetProperty("content")[0].GetProperty("text").GetString().ShouldBe("ok");
    }

    [Fact]
    public async Task A_tool_call_becomes_a_tool_use_block()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: Served);
        proxy.Fake.Enqueue(ScriptedResponse.ToolCalls(("get_weather", """{"city": "Lyon", "days": 2}""")).WithText("Checking."));

        var (blocks, _, stop) = Fold(await PostOkAsync(proxy, Body(stream: true, tools: true)));

        stop.ShouldBe("tool_use");
        blocks.Select(b => b.GetProperty("type").GetString()).ShouldBe(["text", "tool_use"]);
        blocks[1].GetProperty("name").GetString().ShouldBe("get_weather");
        using var input = JsonDocument.Parse(blocks[1].GetProperty("text").GetString()!);
        input.RootElement.GetProperty("city").GetString().ShouldBe("Lyon");
        input.RootElement.GetProperty("days").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Tools_on_a_server_without_auto_tool_choice_get_a_message_naming_the_flags()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: Served with { SupportsTools = false });

        using var response = await proxy.PostMessagesAsync(Body(stream: true, tools: true));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain("--enable-auto-tool-choice --tool-call-parser");
        message.ShouldContain("supportsTools: false");
        message.ShouldContain("\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set");
    }

    [Fact]
    public async Task An_answer_budget_over_the_context_is_sent_again_with_the_room_that_is_left()
    {
        // The configured window is larger than the server's (a stale setting): the proxy's pre-flight clamp leaves room
        // the server does not have, and the server's refusal says how much it does have.
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.Vllm, fakeOptions: Served with { ContextLength = 4096 }, configureBackend: b => b with { ContextLength = 8192 });
        proxy.Fake.Enqueue(ScriptedResponse.Text("Fits now."));
        int counted = await CountTokensAsync(proxy, Body(stream: false, maxTokens: 64000));

        string answer = await PostOkAsync(proxy, Body(stream: false, maxTokens: 64000));

        answer.ShouldContain("Fits now.");
        var chats = proxy.Fake.ChatRequests;
        chats.Count.ShouldBe(2);
        using var first = chats[0].Json();
        using var second = chats[1].Json();
        first.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(8192 - counted); // the configured window's room, still too much
        second.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(4096 - counted); // the fake counts as its /tokenize does
    }

    [Fact]
    public async Task A_prompt_over_the_context_is_prompt_too_long_and_not_retried()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: Served);
        proxy.Fake.Enqueue(ScriptedResponse.ContextOverflow(promptTokens: 40000));

        using var response = await proxy.PostMessagesAsync(Body(stream: true));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (_, message) = await ErrorBodies.ReadAsync(response);
        message.ShouldStartWith("prompt is too long");
        message.ShouldContain("maximum context length is 32768 tokens");
        proxy.Fake.ChatRequests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Discovery_reports_max_model_len_as_the_context_length()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: Served with { ContextLength = 131072 });

        var capabilities = await DiscoverAsync(proxy);

        capabilities.ContextLength.ShouldBe(131072);
        capabilities.PromptCache.ShouldBeTrue();
    }

    [Fact]
    public async Task Token_counting_asks_vllms_tokenize_with_the_chat_messages_and_tools()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: Served);
        string body = Body(stream: false, text: "Count the tokens of this question, please.", tools: true);

        int counted = await CountTokensAsync(proxy, body);

        var tokenize = RequestsTo(proxy.Fake, "/tokenize").ShouldHaveSingleItem();
        using var asked = tokenize.Json();
        var root = asked.RootElement;
        root.GetProperty("model").GetString().ShouldBe("Qwen/Qwen3-Coder-30B-A3B-Instruct");
        root.GetProperty("messages")[1].GetProperty("content").GetString().ShouldBe("Count the tokens of this question, please.");
        root.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
        root.GetProperty("add_generation_prompt").GetBoolean().ShouldBeTrue();
        root.TryGetProperty("max_tokens", out _).ShouldBeFalse();

        using var again = await new HttpClient().PostAsync(new Uri(proxy.Fake.RootUrl, "tokenize"), new ByteArrayContent(tokenize.Body));
        using var answer = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        counted.ShouldBe(answer.RootElement.GetProperty("count").GetInt32());
        counted.ShouldNotBe(Estimate(tokenize));
    }

    [Fact]
    public async Task Token_counting_falls_back_to_the_estimate_when_vllm_is_down()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, backendDown: true);

        (await CountTokensAsync(proxy, Body(stream: false))).ShouldBeGreaterThan(10);
    }

    [Fact]
    public void The_kind_has_vllms_port_and_seed_variables()
    {
        var defaults = ProxyHarness.Factories.Single(f => f.Kind == "vllm").Defaults!;

        defaults.Url.AbsoluteUri.ShouldBe("http://localhost:8000/v1");
        (defaults.UrlVariable, defaults.ApiKeyVariable, defaults.ModelVariable).ShouldBe(("VLLM_URL", "VLLM_API_KEY", "VLLM_MODEL"));
    }
}
