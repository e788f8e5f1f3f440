using System.Diagnostics;
using System.Net;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Http;

/// <summary>Upstream failures become Anthropic errors Claude Code can show and act on (protocol.md §1–§2).</summary>
public sealed class ErrorMappingTests
{
    [Theory]
    [InlineData(ServerFlavor.MlxLm, false, "mlx_lm.server")]
    [InlineData(ServerFlavor.MlxLm, true, "mlx_lm.server")]
    [InlineData(ServerFlavor.LmStudio, false, "LM Studio")]
    [InlineData(ServerFlavor.LmStudio, true, "LM Studio")]
    public async Task A_backend_that_is_down_is_a_quick_error_naming_it_its_url_and_what_to_start(ServerFlavor flavor, bool stream, string startHint)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor, backendDown: true);

        var watch = Stopwatch.StartNew();
        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream));
        // Half the 10 s connect timeout: the refusal is answered at once, not waited out or retried (a bound a loaded
        // CI machine still meets; 2 s failed once at a load average of 36).
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));

        ((int)response.StatusCode).ShouldBeGreaterThanOrEqualTo(500);
        response.Headers.GetValues("x-should-retry").ShouldBe(["false"]);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("api_error");
        message.ShouldContain($"'{proxy.BackendName}'");
        message.ShouldContain(proxy.Backend.Url.ToString().TrimEnd('/'));
        message.ShouldContain(startHint);
    }

    [Fact]
    public async Task An_mlx_lm_404_generation_error_is_a_500_api_error_with_the_upstream_message()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        proxy.Fake.Enqueue(ScriptedResponse.ServerError(404, "Tokenizer failed on token 42"));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("api_error");
        message.ShouldContain("Tokenizer failed on token 42");
    }

    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    [InlineData(ServerFlavor.Generic)]
    public async Task A_backend_url_without_v1_that_answers_404_asks_whether_v1_was_meant(ServerFlavor flavor)
    {
        // Each fake answers an unknown path the way its server does: mlx-lm a bare "Not Found", LM Studio and the
        // others a JSON error. (Some servers also serve /chat/completions at the root, so the URL here is /api.)
        await using var proxy = await ProxyHarness.StartAsync(flavor, configureBackend: backend => backend with { Url = new Uri(backend.Url, "/api") });

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        var (type, message) = await ErrorBodies.ReadAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway, message);
        type.ShouldBe("api_error");
        message.ShouldContain($"did you mean http://127.0.0.1:{proxy.Fake.Port}/api/v1?");
    }

    [Fact]
    public async Task A_404_from_a_url_with_v1_has_no_v1_hint()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LmStudio);
        proxy.Fake.Enqueue(ScriptedResponse.ServerError(404, "Model \"qwen\" not found."));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        var (_, message) = await ErrorBodies.ReadAsync(response);

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway, message);
        message.ShouldNotContain("did you mean");
        message.ShouldContain("is the URL right");
    }

    [Theory]
    [InlineData(ServerFlavor.MlxLm, 429, 429, "rate_limit_error")]
    [InlineData(ServerFlavor.MlxLm, 500, 500, "api_error")]
    [InlineData(ServerFlavor.MlxLm, 503, 529, "overloaded_error")]
    [InlineData(ServerFlavor.LmStudio, 429, 429, "rate_limit_error")]
    [InlineData(ServerFlavor.LmStudio, 500, 500, "api_error")]
    [InlineData(ServerFlavor.LmStudio, 503, 529, "overloaded_error")]
    public async Task Upstream_statuses_map_to_anthropic_statuses(ServerFlavor flavor, int upstream, int expected, string expectedType)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.ServerError(upstream, "upstream says no"));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        ((int)response.StatusCode).ShouldBe(expected);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe(expectedType);
        message.ShouldContain("upstream says no");
    }

    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    [InlineData(ServerFlavor.Generic)]
    public async Task A_context_overflow_is_a_400_prompt_is_too_long(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.ContextOverflow(promptTokens: 50000));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldStartWith("prompt is too long:");
    }

    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    public async Task A_stream_that_breaks_midway_ends_with_an_error_event_and_the_next_request_works(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.Text("This answer will be cut off somewhere in the middle.").BreakAfterChunks(3));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
        events[0].Event.ShouldBe("message_start");
        events.Select(e => e.Event).ShouldNotContain("message_stop");
        events[^1].Event.ShouldBe("error");
        events[^1].Data.ShouldContain("\"type\":\"error\"");
        events[^1].Data.ShouldContain("api_error");
        proxy.Fake.BrokenStreams.ShouldBe(1);

        await proxy.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_malformed_json_chunk_ends_with_an_error_event()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        proxy.Fake.Enqueue(ScriptedResponse.RawChunks(
            """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}""",
            """{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo"}""",
            """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"""));

        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: true));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
        events.Select(e => e.Event).ShouldNotContain("message_stop");
        events[^1].Event.ShouldBe("error");
        events[^1].Data.ShouldContain("not valid JSON");

        await proxy.AssertStillServingAsync();
    }

    [Theory]
    [InlineData(ServerFlavor.MlxLm)]
    [InlineData(ServerFlavor.LmStudio)]
    public async Task A_stream_without_done_but_with_a_finish_reason_completes_normally(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.Text("Complete answer.").WithoutDone());

        using var client = proxy.CreateSdkClient();
        var message = await Anthropic.SseAggregatorExtensions.Aggregate(client.Messages.CreateStreaming(new Anthropic.Models.Messages.MessageCreateParams
        {
            Model = "claude-sonnet-4-5",
            MaxTokens = 100,
            Messages = [new Anthropic.Models.Messages.UserMessageParam("Hi")],
        }));
        message.Content[0].TryPickText(out var text).ShouldBeTrue();
        text!.Text.ShouldBe("Complete answer.");
        message.StopReason!.Raw().ShouldBe("end_turn");
    }
}
