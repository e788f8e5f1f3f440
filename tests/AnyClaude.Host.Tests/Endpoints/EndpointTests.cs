using System.Globalization;
using System.Net;
using System.Text.Json;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Endpoints;

public sealed class EndpointTests
{
    [Fact]
    public async Task Root_answers_head_and_get_with_200_and_liveness_is_200()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);

        using var head = await proxy.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var get = await proxy.Http.GetAsync("/");
        get.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var live = await proxy.Http.GetAsync("/health/live");
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Readiness_is_200_when_the_backend_runs()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        using var ready = await proxy.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Readiness_is_503_naming_the_backend_when_it_is_down()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, backendDown: true);
        using var ready = await proxy.Http.GetAsync("/health/ready");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        ready.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        string body = await ready.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        body.ShouldContain("mlx-lm");
        body.ShouldContain(proxy.Backend.Url.Authority);
    }

    [Fact]
    public async Task Models_lists_the_backends_models_in_anthropic_shape()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, fakeOptions: new FakeServerOptions { Models = ["mlx-community/Qwen3-4B", "mlx-community/GLM-4"] });

        using var response = await proxy.Http.GetAsync("/v1/models");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        var data = root.GetProperty("data").EnumerateArray().ToList();
        data.Select(m => m.GetProperty("id").GetString()).ShouldBe(["mlx-community/Qwen3-4B", "mlx-community/GLM-4"]);
        foreach (var model in data)
        {
            model.GetProperty("type").GetString().ShouldBe("model");
            model.GetProperty("display_name").GetString().ShouldNotBeNullOrEmpty();
            DateTimeOffset.TryParse(model.GetProperty("created_at").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _).ShouldBeTrue();
        }

        root.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        root.GetProperty("first_id").GetString().ShouldBe("mlx-community/Qwen3-4B");
        root.GetProperty("last_id").GetString().ShouldBe("mlx-community/GLM-4");
    }

    [Fact]
    public async Task Count_tokens_grows_with_the_prompt()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);

        async Task<int> CountAsync(string text)
        {
            string body = JsonSerializer.Serialize(new { model = "claude-sonnet-4-5", messages = new[] { new { role = "user", content = text } } });
            using var response = await proxy.PostMessagesAsync(body, "/v1/messages/count_tokens?beta=true");
            string answer = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, answer);
            using var json = JsonDocument.Parse(answer);
            return json.RootElement.GetProperty("input_tokens").GetInt32();
        }

        int small = await CountAsync("Hello");
        int big = await CountAsync(string.Concat(Enumerable.Repeat("Tell me a long story about a lighthouse keeper. ", 200)));
        small.ShouldBeGreaterThan(0);
        big.ShouldBeGreaterThan(small);
        proxy.Fake.ChatRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_not_found_error()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        using var response = await proxy.Http.GetAsync("/v1/nothing-here");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("not_found_error");
        message.ShouldContain("/v1/nothing-here");
    }

    [Fact]
    public async Task Cache_touch_is_answered_as_done_and_other_messages_paths_are_a_404_neither_reaching_the_model()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);

        // Claude Code 2.1.337's keep-alive of Anthropic's prompt cache (protocol.md 1b): a local server keeps its own.
        using (var touch = await proxy.PostMessagesAsync("""{"request_id":"req_011CWx"}""", "/v1/messages/cache_touch?beta=true"))
        {
            touch.StatusCode.ShouldBe(HttpStatusCode.OK);
            touch.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
            using var json = JsonDocument.Parse(await touch.Content.ReadAsStringAsync());
            json.RootElement.GetProperty("type").GetString().ShouldBe("cache_touch");
        }

        foreach (string path in new[] { "/v1/messages/batches", "/v1/messages/held_turn/x" })
        {
            using var unknown = await proxy.PostMessagesAsync("""{"model":"claude-opus-5-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", path);
            unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
            unknown.Headers.GetValues("x-should-retry").ShouldBe(["false"]);
            var (type, message) = await ErrorBodies.ReadAsync(unknown);
            type.ShouldBe("not_found_error");
            message.ShouldContain($"POST {path}");
            message.ShouldContain("nothing was sent to a model");
        }

        proxy.Fake.ChatRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Get_on_messages_is_a_405_with_an_anthropic_error()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        using var response = await proxy.Http.GetAsync("/v1/messages");
        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain("GET");
    }
}
