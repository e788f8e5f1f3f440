using System.Net;
using System.Text.Json;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>Routing end to end: the real proxy in front of several real fake backends.</summary>
public sealed class RoutingEndpointTests
{
    private static RoutingOptions HaikuToSmall() => new()
    {
        Routes = [new Route(0, new RouteCondition { Model = "*haiku*" }, "small", "qwen3-4b")],
    };

    [Fact]
    public async Task Streaming_non_streaming_and_count_tokens_take_the_same_route_and_name_it_in_headers()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main", "small"], routing: HaikuToSmall());

        using var streamed = await proxy.PostAsync(MultiBackendProxy.Simple("claude-haiku-5-5", stream: true));
        string events = await streamed.Content.ReadAsStringAsync();
        streamed.StatusCode.ShouldBe(HttpStatusCode.OK, events);
        MultiBackendProxy.TextOf(events).ShouldContain("answer from small");
        MultiBackendProxy.BackendOf(streamed).ShouldBe("small");
        MultiBackendProxy.Header(streamed, RouteHeaders.Model).ShouldBe("qwen3-4b");
        proxy.LastUpstreamModel("small").ShouldBe("qwen3-4b");

        using var json = await proxy.PostAsync(MultiBackendProxy.Simple("claude-haiku-5-5"));
        (await json.Content.ReadAsStringAsync()).ShouldContain("answer from small");
        MultiBackendProxy.BackendOf(json).ShouldBe("small");
        MultiBackendProxy.Header(json, RouteHeaders.Model).ShouldBe("qwen3-4b");

        using var count = await proxy.PostAsync(MultiBackendProxy.Simple("claude-haiku-5-5"), "/v1/messages/count_tokens");
        count.StatusCode.ShouldBe(HttpStatusCode.OK);
        MultiBackendProxy.BackendOf(count).ShouldBe("small");
        MultiBackendProxy.Header(count, RouteHeaders.Model).ShouldBe("qwen3-4b");

        using var other = await proxy.PostAsync(MultiBackendProxy.Simple("claude-opus-5-5"));
        (await other.Content.ReadAsStringAsync()).ShouldContain("answer from main");
        MultiBackendProxy.BackendOf(other).ShouldBe("main");
        // The backend picked its model itself (the first it lists): the header says which.
        MultiBackendProxy.Header(other, RouteHeaders.Model).ShouldBe("main-model-a");
        proxy["main"].ChatRequests.Count.ShouldBe(1);
        proxy["small"].ChatRequests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task An_error_answer_names_the_backend_too()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main"]);
        proxy["main"].RespondWith(_ => ScriptedResponse.ServerError(400, "bad template"));
        using var response = await proxy.PostAsync(MultiBackendProxy.Simple());
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        MultiBackendProxy.BackendOf(response).ShouldBe("main");
    }

    [Theory]
    [InlineData("tools", "tools", "tools-model-a")]
    [InlineData("tools/other-model", "tools", "other-model")]
    [InlineData("qwen/qwen3-coder-30b", "main", "main-model-a")]
    [InlineData("claude-opus-5-5", "main", "main-model-a")]
    public async Task A_model_that_names_a_backend_goes_there_and_other_names_go_to_the_default(string model, string backend, string upstream)
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main", "tools"]);
        using var response = await proxy.PostAsync(MultiBackendProxy.Simple(model, stream: true));
        string body = await response.Content.ReadAsStringAsync();
        MultiBackendProxy.TextOf(body).ShouldContain($"answer from {backend}");
        MultiBackendProxy.BackendOf(response).ShouldBe(backend);
        proxy.LastUpstreamModel(backend).ShouldBe(upstream);
    }

    [Fact]
    public async Task The_model_probe_for_an_unknown_name_is_a_404_listing_the_backends()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main", "tools"]);
        using var unknown = await proxy.PostAsync(RequestBodies.Probe("lmstudoi"));
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var (type, message) = await ErrorBodies.ReadAsync(unknown);
        type.ShouldBe("not_found_error");
        message.ShouldContain("'lmstudoi'");
        message.ShouldContain("main, tools");
        proxy["main"].ChatRequests.ShouldBeEmpty();

        foreach (string known in new[] { "tools", "tools/x", "claude-opus-5-5", "sonnet", "main-model-b" })
        {
            using var ok = await proxy.PostAsync(RequestBodies.Probe(known));
            ok.StatusCode.ShouldBe(HttpStatusCode.OK, known);
        }
    }

    [Fact]
    public async Task Models_lists_the_default_backends_models_then_every_backend_name_and_the_others_models()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("main", ["main", "tools"]);
        using var response = await proxy.Http.GetAsync("/v1/models");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ShouldBe(
            ["main-model-a", "main-model-b", "main", "tools", "claude-via-main", "claude-via-tools", "tools/tools-model-a", "tools/tools-model-b"]);
    }

    [Fact]
    public async Task Readiness_reports_every_backend()
    {
        await using var proxy = await MultiBackendProxy.StartAsync(
            "main", ["main"], urls: new Dictionary<string, Uri> { ["down"] = new($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1") });
        using var response = await proxy.Http.GetAsync("/health/ready");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var backends = json.RootElement.GetProperty("backends").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!, b => b.GetProperty("status").GetString());
        backends["main"].ShouldBe("ok");
        backends["down"].ShouldBe("unavailable");
    }
}
