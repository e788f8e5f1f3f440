using System.Net;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static AnyClaude.Host.Tests.Backends.BackendKindKit;

namespace AnyClaude.Host.Tests.Backends;

/// <summary>The <c>llama-cpp</c> kind through the real proxy, against a fake <c>llama-server</c>.</summary>
public sealed class LlamaCppBackendTests
{
    [Fact]
    public async Task A_streamed_answer_has_its_reasoning_as_thinking_and_the_cached_tokens_from_timings()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp);
        proxy.Fake.Enqueue(ScriptedResponse.Text("It is sunny in Paris.").WithReasoning("The user wants weather.").WithUsage(200, 7, 150));

        var (blocks, usage, stop) = Fold(await PostOkAsync(proxy, Body(stream: true, thinking: true)));

        blocks.Select(b => b.GetProperty("type").GetString()).ShouldBe(["thinking", "text"]);
        blocks[0].GetProperty("text").GetString().ShouldBe("The user wants weather.");
        blocks[1].GetProperty("text").GetString().ShouldBe("It is sunny in Paris.");
        stop.ShouldBe("end_turn");
        // No prompt_tokens_details from this build: timings.cache_n says 150 of the 200 prompt tokens came from the cache.
        usage.GetProperty("input_tokens").GetInt32().ShouldBe(50);
        usage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(150);
        usage.GetProperty("output_tokens").GetInt32().ShouldBe(7);

        using var upstream = proxy.Fake.LastChatRequest.Json();
        upstream.RootElement.GetProperty("cache_prompt").GetBoolean().ShouldBeTrue();
        upstream.RootElement.GetProperty("chat_template_kwargs").GetProperty("enable_thinking").GetBoolean().ShouldBeTrue();
        upstream.RootElement.TryGetProperty("id_slot", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task A_non_streamed_answer_is_one_message_with_thinking_text_and_cache_usage()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp);
        proxy.Fake.Enqueue(ScriptedResponse.Text("It is sunny.").WithReasoning("Weather.").WithUsage(300, 4, 280));

        using var message = JsonDocument.Parse(await PostOkAsync(proxy, Body(stream: false, thinking: true)));
        var root = message.RootElement;
        var content = root.GetProperty("content");
        content[0].GetProperty("type").GetString().ShouldBe("thinking");
        content[0].GetProperty("thinking").GetString().ShouldBe("Weather.");
        content[1].GetProperty("text").GetString().ShouldBe("It is sunny.");
        root.GetProperty("usage").GetProperty("input_tokens").GetInt32().ShouldBe(20);
        root.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(280);
    }

    [Fact]
    public async Task Prompt_tokens_details_win_over_timings_when_the_build_sends_both()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { PromptTokensDetails = true });
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok").WithUsage(100, 1, 60));

        var (_, usage, _) = Fold(await PostOkAsync(proxy, Body(stream: true)));

        usage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(60);
        usage.GetProperty("input_tokens").GetInt32().ShouldBe(40);
    }

    [Fact]
    public async Task A_tool_call_streamed_in_pieces_becomes_one_tool_use_block()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp);
        proxy.Fake.Enqueue(ScriptedResponse.ToolCalls(("get_weather", """{"city": "Paris", "days": 3}""")));

        using var message = JsonDocument.Parse(await PostOkAsync(proxy, Body(stream: false, tools: true)));
        var root = message.RootElement;
        root.GetProperty("stop_reason").GetString().ShouldBe("tool_use");
        var call = root.GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_use");
        call.GetProperty("name").GetString().ShouldBe("get_weather");
        call.GetProperty("input").GetProperty("city").GetString().ShouldBe("Paris");
        call.GetProperty("input").GetProperty("days").GetInt32().ShouldBe(3);

        using var upstream = proxy.Fake.LastChatRequest.Json();
        upstream.RootElement.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString().ShouldBe("get_weather");
    }

    [Fact]
    public async Task Tools_on_a_server_without_jinja_get_a_message_naming_the_flag()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { SupportsTools = false });

        using var response = await proxy.PostMessagesAsync(Body(stream: true, tools: true));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain("--jinja");
        message.ShouldContain("supportsTools: false");
        message.ShouldContain("tools param requires --jinja flag");
    }

    [Fact]
    public async Task A_context_overflow_is_prompt_too_long()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp);
        proxy.Fake.Enqueue(ScriptedResponse.ContextOverflow(promptTokens: 40000));

        using var response = await proxy.PostMessagesAsync(Body(stream: true));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldStartWith("prompt is too long");
        message.ShouldContain("40000");
    }

    [Fact]
    public async Task Discovery_reports_the_slot_context_the_slots_tools_and_vision_from_props()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { ContextLength = 16384, Slots = 4, SupportsImages = true });

        var capabilities = await DiscoverAsync(proxy);

        capabilities.ContextLength.ShouldBe(16384);
        capabilities.Slots.ShouldBe(4);
        capabilities.Images.ShouldBeTrue();
        capabilities.Tools.ShouldBeTrue();
        capabilities.PromptCache.ShouldBeTrue();
        capabilities.ReportsCachedTokens.ShouldBe(true);
        RequestsTo(proxy.Fake, "/props").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Discovery_says_no_tools_when_the_server_has_no_template_caps_and_settings_still_win()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LlamaCpp,
            fakeOptions: new FakeServerOptions { SupportsTools = false, ContextLength = 16384 },
            configureBackend: b => b with { ContextLength = 8192 });

        var capabilities = await DiscoverAsync(proxy);

        capabilities.Tools.ShouldBeFalse();
        capabilities.ContextLength.ShouldBe(8192);
    }

    [Fact]
    public async Task Token_counting_renders_the_chat_with_the_servers_template_and_tokenizes_that()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp);
        string body = Body(stream: false, text: "How many tokens is this prompt, exactly?", tools: true);

        int counted = await CountTokensAsync(proxy, body);

        var applied = RequestsTo(proxy.Fake, "/apply-template").ShouldHaveSingleItem();
        using (var chat = applied.Json())
        {
            var messages = chat.RootElement.GetProperty("messages");
            messages[0].GetProperty("content").GetString().ShouldBe("You are a helpful assistant.");
            messages[1].GetProperty("content").GetString().ShouldBe("How many tokens is this prompt, exactly?");
            chat.RootElement.GetProperty("tools").GetArrayLength().ShouldBe(1);
        }

        var tokenize = RequestsTo(proxy.Fake, "/tokenize").ShouldHaveSingleItem();
        using var asked = tokenize.Json();
        string prompt = asked.RootElement.GetProperty("content").GetString()!;
        prompt.ShouldContain("<|im_start|>user\nHow many tokens is this prompt, exactly?<|im_end|>");
        asked.RootElement.GetProperty("add_special").GetBoolean().ShouldBeTrue();

        // The count is the server's: ask the fake's tokenizer the same question and compare; it is not the byte estimate.
        using var again = await new HttpClient().PostAsync(new Uri(proxy.Fake.RootUrl, "tokenize"), new ByteArrayContent(tokenize.Body));
        using var tokens = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        counted.ShouldBe(tokens.RootElement.GetProperty("tokens").GetArrayLength());
        counted.ShouldNotBe(Estimate(applied));
    }

    [Fact]
    public async Task Token_counting_falls_back_to_the_estimate_when_the_server_cannot_count()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, backendDown: true);

        int counted = await CountTokensAsync(proxy, Body(stream: false));

        counted.ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task The_idSlot_setting_pins_every_request_to_that_slot()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LlamaCpp,
            configureBackend: b => b with { Extra = new Dictionary<string, string?> { ["idSlot"] = "2" } });

        await PostOkAsync(proxy, Body(stream: true));

        using var upstream = proxy.Fake.LastChatRequest.Json();
        upstream.RootElement.GetProperty("id_slot").GetInt32().ShouldBe(2);
        upstream.RootElement.GetProperty("cache_prompt").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void A_bad_idSlot_is_a_clear_error_naming_the_setting()
    {
        var factory = ProxyHarness.Factories.Single(f => f.Kind == "llama-cpp");
        var settings = new BackendOptions
        {
            Name = "llama-main",
            Kind = "llama-cpp",
            Url = new Uri("http://127.0.0.1:8090/v1"),
            Extra = new Dictionary<string, string?> { ["idSlot"] = "first" },
        };
        using var client = new HttpClient();

        var error = Should.Throw<ArgumentException>(() => factory.Create(settings, new BackendServices(client, NullLoggerFactory.Instance, TimeProvider.System)));

        error.Message.ShouldContain("backends.llama-main.idSlot");
        error.Message.ShouldContain("'first'");
    }

    [Fact]
    public void The_default_url_is_not_anyclaudes_own_port()
    {
        var defaults = ProxyHarness.Factories.Single(f => f.Kind == "llama-cpp").Defaults!;

        defaults.Url.Port.ShouldNotBe(AnyClaudeOptions.DefaultPort);
        defaults.Url.AbsoluteUri.ShouldBe("http://localhost:8090/v1");
        (defaults.UrlVariable, defaults.ApiKeyVariable, defaults.ModelVariable).ShouldBe(("LLAMA_CPP_URL", "LLAMA_CPP_API_KEY", "LLAMA_CPP_MODEL"));
    }
}
