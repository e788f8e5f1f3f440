using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Pipelines;
using AnyClaude.OpenAICompat.ToolCalls;

namespace AnyClaude.Host.Tests.Responses;

public sealed class ResponsePipelineConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-responses-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationResult Load(string json)
    {
        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), json);
        return ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>(), _directory);
    }

    [Fact]
    public void ResponseTransforms_and_toolCallFormat_are_read_per_backend_and_are_not_left_to_the_plugin()
    {
        var result = Load("""{ "backends": { "mlx-lm": { "responseTransforms": ["text-tool-calls"], "toolCallFormat": "Qwen3-Coder" }, "lmstudio": { "responseTransforms": "" } } }""");

        result.Errors.ShouldBeEmpty();
        var mlx = result.Options!.Backends["mlx-lm"];
        mlx.Responses.Transforms.ShouldBe(["text-tool-calls"]);
        mlx.Responses.ToolCallFormat.ShouldBe(ToolCallFormat.Qwen3Coder);
        mlx.Extra.Keys.ShouldNotContain("toolCallFormat");
        mlx.Extra.Keys.ShouldNotContain("responseTransforms");
        result.Options.Backends["lmstudio"].Responses.Transforms.ShouldBe([]);
        result.Options.Backends["lmstudio"].Responses.ToolCallFormat.ShouldBe(ToolCallFormat.Auto);
    }

    [Fact]
    public void An_empty_list_runs_no_response_step()
    {
        var result = Load("""{ "backends": { "mlx-lm": { "responseTransforms": [] } } }""");

        result.Errors.ShouldBeEmpty();
        result.Options!.Backends["mlx-lm"].Responses.Transforms.ShouldBe([]);
    }

    [Fact]
    public void An_unknown_toolCallFormat_is_one_line_naming_the_known_ones()
    {
        var result = Load("""{ "backends": { "mlx-lm": { "toolCallFormat": "yaml" } } }""");

        result.Errors.ShouldHaveSingleItem().ShouldBe("backends.mlx-lm.toolCallFormat: 'yaml' is not a known format (auto, qwen3-coder, hermes, llama3, mistral, lmstudio, glm, deepseek, kimi, none)");
    }

    [Fact]
    public void An_unknown_response_step_is_reported_and_the_proxy_does_not_start()
    {
        var options = Load("""{ "backends": { "mlx-lm": { "responseTransforms": ["text-tool-calls", "no-such-step"] } } }""").Options!;

        ResponseCatalog.BuiltInOnly.Validate(options).ShouldHaveSingleItem()
            .ShouldBe("backends.mlx-lm.responseTransforms: unknown response step 'no-such-step' (known: think-tags, text-tool-calls, stop-sequences)");
        Should.Throw<InvalidOperationException>(() => ProxyApp.Build(options, ProxyHarness.Factories, _ => { }))
            .Message.ShouldContain("no-such-step");
    }

    [Fact]
    public void The_default_pipeline_is_the_built_ins_then_the_plugin_steps_and_a_list_is_followed_with_stop_sequences_kept()
    {
        var catalog = new ResponseCatalog([new NamedStep("p-one"), new NamedStep("p-two")]);
        var backend = new BackendOptions { Name = "b", Kind = "openai", Url = new Uri("http://127.0.0.1:1/v1") };

        Names(catalog.Build("b", backend)).ShouldBe(["think-tags", "text-tool-calls", "p-one", "p-two", "stop-sequences"]);
        Names(catalog.Build("b", backend with { Responses = new ResponseSettings { ToolCallFormat = ToolCallFormat.None } })).ShouldBe(["think-tags", "p-one", "p-two", "stop-sequences"]);
        Names(catalog.Build("b", backend with { Kind = "anthropic" })).ShouldBe(["text-tool-calls", "p-one", "p-two", "stop-sequences"]);
        Names(catalog.Build("b", backend with { Responses = new ResponseSettings { Transforms = ["p-two", "text-tool-calls"] } })).ShouldBe(["p-two", "text-tool-calls", "stop-sequences"]);
        Names(catalog.Build("b", backend with { Responses = new ResponseSettings { Transforms = ["stop-sequences", "think-tags"] } })).ShouldBe(["stop-sequences", "think-tags"]);
        Names(catalog.Build("b", backend with { Responses = new ResponseSettings { Transforms = [] } })).ShouldBe(["stop-sequences"], "stop sequences are the protocol's contract, kept in any list");
    }

    [Fact]
    public void A_plugin_step_with_a_built_in_name_is_reported()
    {
        var options = Load("{}").Options!;

        new ResponseCatalog([new NamedStep("text-tool-calls")]).Validate(options).ShouldHaveSingleItem().ShouldContain("has the name of another step");
    }

    private static string[] Names(ResponsePipeline pipeline) => [.. pipeline.Steps.Select(s => s.Name)];

    private sealed class NamedStep(string name) : IResponseTransform
    {
        public string Name => name;

        public IAsyncEnumerable<MessageStreamEvent> Apply(IAsyncEnumerable<MessageStreamEvent> events, ResponseContext context) => events;
    }
}
