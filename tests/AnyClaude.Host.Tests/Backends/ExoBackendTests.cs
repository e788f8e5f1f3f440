using System.Net;
using System.Text.Json;
using AnyClaude.TestSupport;
using static AnyClaude.Host.Tests.Backends.BackendKindKit;

namespace AnyClaude.Host.Tests.Backends;

/// <summary>The <c>exo</c> kind through the real proxy, against a fake exo cluster API.</summary>
public sealed class ExoBackendTests
{
    private const string Running = "mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit";

    private static readonly FakeServerOptions Cluster = new() { Models = [Running], ContextLength = 262144 };

    [Fact]
    public async Task A_streamed_answer_goes_to_the_running_instances_model_with_thinking_and_the_prefix_cache_hit()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Exo, fakeOptions: Cluster);
        proxy.Fake.Enqueue(ScriptedResponse.Text("Paris: sunny.").WithReasoning("Weather question.").WithUsage(300, 5, 250));

        string sse = await PostOkAsync(proxy, Body(stream: true, thinking: true));
        var (blocks, usage, stop) = Fold(sse);

        blocks.Select(b => b.GetProperty("type").GetString()).ShouldBe(["thinking", "text"]);
        blocks[0].GetProperty("text").GetString().ShouldBe("Weather question.");
        blocks[1].GetProperty("text").GetString().ShouldBe("Paris: sunny.");
        stop.ShouldBe("end_turn");
        usage.GetProperty("input_tokens").GetInt32().ShouldBe(50);
        usage.GetProperty("cache_read_input_tokens").GetInt32().ShouldBe(250);
        usage.GetProperty("output_tokens").GetInt32().ShouldBe(5);

        using var upstream = proxy.Fake.LastChatRequest.Json();
        // Not the first card /v1/models lists (a catalog entry that does not run): the model of the running instance.
        upstream.RootElement.GetProperty("model").GetString().ShouldBe(Running);
        upstream.RootElement.GetProperty("reasoning_effort").GetString().ShouldBe("medium");
        RequestsTo(proxy.Fake, "/state/instances").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_non_streamed_answer_is_one_message()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Exo, fakeOptions: Cluster);
        proxy.Fake.Enqueue(ScriptedResponse.Text("Hello from the cluster.").WithUsage(40, 5, 0));

        using var message = JsonDocument.Parse(await PostOkAsync(proxy, Body(stream: false)));

        message.RootElement.GetProperty("content")[0].GetProperty("text").GetString().ShouldBe("Hello from the cluster.");
        message.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt32().ShouldBe(40);
        message.RootElement.GetProperty("stop_reason").GetString().ShouldBe("end_turn");
    }

    [Fact]
    public async Task Whole_tool_calls_in_the_finishing_chunk_become_tool_use_blocks()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Exo, fakeOptions: Cluster);
        proxy.Fake.Enqueue(ScriptedResponse.ToolCalls(("get_weather", """{"city": "Oslo"}"""), ("get_weather", """{"city": "Rome", "days": 1}""")));

        using var message = JsonDocument.Parse(await PostOkAsync(proxy, Body(stream: false, tools: true)));

        message.RootElement.GetProperty("stop_reason").GetString().ShouldBe("tool_use");
        var calls = message.RootElement.GetProperty("content").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "tool_use").ToList();
        calls.Select(c => c.GetProperty("input").GetProperty("city").GetString()).ShouldBe(["Oslo", "Rome"]);
        calls[0].GetProperty("id").GetString().ShouldNotBe(calls[1].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_model_without_a_running_instance_gets_a_message_saying_how_to_place_one()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.Exo, fakeOptions: Cluster, configureBackend: b => b with { Model = "mlx-community/GLM-4.5-Air-4bit" });

        using var response = await proxy.PostMessagesAsync(Body(stream: true));

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("api_error");
        message.ShouldContain("no instance of model 'mlx-community/GLM-4.5-Air-4bit'");
        message.ShouldContain("place_instance");
        message.ShouldContain("EXO_MODEL");
    }

    [Fact]
    public async Task A_cluster_running_nothing_gets_the_same_message()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Exo, fakeOptions: Cluster with { Models = [] });

        using var response = await proxy.PostMessagesAsync(Body(stream: false));

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        var (_, message) = await ErrorBodies.ReadAsync(response);
        message.ShouldContain("runs no instance of model 'claude-sonnet-4-5'");
    }

    [Fact]
    public async Task An_error_inside_the_stream_reaches_the_client_as_an_error_event()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Exo, fakeOptions: Cluster);
        proxy.Fake.Enqueue(ScriptedResponse.RawChunks(
            $$$"""{"id":"c1","object":"chat.completion","created":1,"model":"{{{Running}}}","choices":[{"index":0,"delta":{"role":"assistant","content":"Par"}}]}""",
            """{"error":{"message":"Runner crashed: out of memory","type":"InternalServerError","code":500}}"""));

        using var response = await proxy.PostMessagesAsync(Body(stream: true));
        string sse = await response.Content.ReadAsStringAsync();

        var events = SseReader.Parse(sse);
        events.Select(e => e.Event).ShouldContain("error");
        events.Single(e => e.Event == "error").Data.ShouldContain("Runner crashed: out of memory");
    }

    [Fact]
    public async Task Discovery_reads_the_running_models_card()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Exo, fakeOptions: Cluster with { ContextLength = 65536, SupportsImages = true });

        var capabilities = await DiscoverAsync(proxy);

        capabilities.ContextLength.ShouldBe(65536); // the catalog-only card first in the list says 131072
        capabilities.Images.ShouldBeTrue();
        capabilities.Reasoning.ShouldBeTrue();
        capabilities.PromptCache.ShouldBeTrue();
        capabilities.ReportsCachedTokens.ShouldBe(true);
    }

    [Fact]
    public void The_kind_has_exos_port_and_seed_variables()
    {
        var defaults = ProxyHarness.Factories.Single(f => f.Kind == "exo").Defaults!;

        defaults.Url.AbsoluteUri.ShouldBe("http://localhost:52415/v1");
        (defaults.UrlVariable, defaults.ApiKeyVariable, defaults.ModelVariable).ShouldBe(("EXO_URL", "EXO_API_KEY", "EXO_MODEL"));
    }
}
