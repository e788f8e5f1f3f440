using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Scripting;
using AnyClaude.Host.Tests.Scripting;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using static AnyClaude.Host.Tests.Transforms.TransformTestKit;

namespace AnyClaude.Host.Tests.Transforms;

public sealed class PipelineOrderTests
{
    private static readonly ScriptSet TwoScripts = new([FakeScript("a-first.csx"), FakeScript("b-second.csx")], [], []);

    private static TransformCatalog Catalog() => new([new MarkerTransform("p-one"), new MarkerTransform("p-two")], TwoScripts);

    private static (string Name, string Kind)[] Steps(RequestPipeline pipeline) =>
        pipeline.Describe().Steps.Select(s => (s.Name, s.Kind)).ToArray();

    private static BackendOptions Backend(IReadOnlyList<string>? transforms = null) =>
        new() { Name = "mlx-lm", Kind = "mlx-lm", Url = new Uri("http://localhost:8081/v1"), Transforms = transforms };

    [Fact]
    public void The_default_order_is_built_ins_by_capability_then_plugins_then_scripts_in_file_name_order()
    {
        var pipeline = Catalog().Build("mlx-lm", Backend(), new BackendCapabilities { Tools = true }, NullLoggerFactory.Instance, timed: false);

        Steps(pipeline).ShouldBe(
        [
            ("strip-billing-header", "built-in"),
            ("drop-cache-control", "built-in"),
            ("clean-schema", "built-in"),
            ("clamp-max-tokens", "built-in"),
            ("p-one", "plugin"),
            ("p-two", "plugin"),
            ("a-first.csx", "script"),
            ("b-second.csx", "script"),
        ]);
    }

    [Fact]
    public void A_backend_with_a_prompt_cache_moves_claude_codes_environment_message_after_dropping_cache_control()
    {
        var pipeline = Catalog().Build("mlx-lm", Backend(), new BackendCapabilities { Tools = true, PromptCache = true }, NullLoggerFactory.Instance, timed: false);

        Steps(pipeline).Select(s => s.Name).Take(4).ShouldBe(["strip-billing-header", "drop-cache-control", "hoist-system-message", "clean-schema"]);
    }

    [Fact]
    public void A_backend_without_tools_gets_strip_tools_instead_of_clean_schema_by_default()
    {
        var pipeline = Catalog().Build("text-only", Backend(), new BackendCapabilities { Tools = false }, NullLoggerFactory.Instance, timed: false);

        var names = Steps(pipeline).Select(s => s.Name).ToList();
        names.ShouldContain("strip-tools");
        names.ShouldNotContain("clean-schema");
        names.IndexOf("strip-tools").ShouldBeLessThan(names.IndexOf("clamp-max-tokens"));
    }

    [Fact]
    public void A_configured_order_is_followed_exactly_and_leaves_out_what_it_does_not_name()
    {
        var pipeline = Catalog().Build(
            "mlx-lm",
            Backend(["b-second.csx", "clamp-max-tokens", "p-two", "strip-billing-header"]),
            new BackendCapabilities(),
            NullLoggerFactory.Instance,
            timed: false);

        Steps(pipeline).ShouldBe(
        [
            ("b-second.csx", "script"),
            ("clamp-max-tokens", "built-in"),
            ("p-two", "plugin"),
            ("strip-billing-header", "built-in"),
        ]);
    }

    [Fact]
    public void Scripts_limited_to_other_backends_and_scripts_that_did_not_compile_are_not_in_the_pipeline()
    {
        var scripts = new ScriptSet(
            [
                FakeScript("a.csx", new HashSet<string>(["lmstudio"], StringComparer.OrdinalIgnoreCase)),
                FakeScript("b.csx", compiled: false),
                FakeScript("c.csx"),
            ],
            [],
            []);
        var catalog = new TransformCatalog([], scripts);

        var mlx = catalog.Build("mlx-lm", Backend(), new BackendCapabilities(), NullLoggerFactory.Instance, timed: false);
        var lms = catalog.Build("LMStudio", Backend(), new BackendCapabilities(), NullLoggerFactory.Instance, timed: false);
        var configured = catalog.Build("mlx-lm", Backend(["a.csx", "b.csx", "c.csx"]), new BackendCapabilities(), NullLoggerFactory.Instance, timed: false);

        Steps(mlx).Where(s => s.Kind == "script").Select(s => s.Name).ShouldBe(["c.csx"]);
        Steps(lms).Where(s => s.Kind == "script").Select(s => s.Name).ShouldBe(["a.csx", "c.csx"]);
        Steps(configured).Select(s => s.Name).ShouldBe(["c.csx"]);
    }

    [Fact]
    public void An_unknown_name_is_one_clear_configuration_error_and_the_proxy_does_not_build()
    {
        var options = new AnyClaudeOptions
        {
            Mode = "mlx-lm",
            Port = 0,
            Backends = new Dictionary<string, BackendOptions> { ["mlx-lm"] = Backend(["strip-billing-header", "trim-sytem-prompt.csx"]) },
        };

        var errors = Catalog().Validate(options);

        errors.ShouldHaveSingleItem().ShouldBe(
            "backends.mlx-lm.transforms: unknown transform 'trim-sytem-prompt.csx' (known: strip-billing-header, drop-cache-control, hoist-system-message, clean-schema, clamp-max-tokens, strip-tools, emulate-tools, p-one, p-two, a-first.csx, b-second.csx)");
        Should.Throw<InvalidOperationException>(() => ProxyApp.Build(options, ProxyHarness.Factories, _ => { }, transforms: Catalog()))
            .Message.ShouldContain("unknown transform 'trim-sytem-prompt.csx'");
    }

    [Fact]
    public void A_plugin_transform_with_a_built_in_name_is_a_configuration_error()
    {
        var options = new AnyClaudeOptions { Mode = "mlx-lm", Backends = new Dictionary<string, BackendOptions> { ["mlx-lm"] = Backend() } };

        var errors = new TransformCatalog([new MarkerTransform("clamp-max-tokens")], ScriptSet.Empty).Validate(options);

        errors.ShouldHaveSingleItem().ShouldContain("'clamp-max-tokens'");
    }

    [Fact]
    public async Task The_running_proxy_shows_each_backends_pipeline_and_applies_the_configured_order()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            configureBackend: b => b with { Transforms = ["p-two", "p-one", "clamp-max-tokens"] },
            transforms: new TransformCatalog([new MarkerTransform("p-one"), new MarkerTransform("p-two")], ScriptSet.Empty));

        var shown = proxy.App.Services.GetRequiredService<RequestPipelines>().Describe();
        shown.ShouldHaveSingleItem().Backend.ShouldBe("mlx-lm");
        shown[0].Steps.Select(s => $"{s.Name}:{s.Kind}").ShouldBe(["p-two:plugin", "p-one:plugin", "clamp-max-tokens:built-in"]);

        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        string upstream = proxy.Fake.LastChatRequest.BodyText;
        upstream.IndexOf("ran p-two", StringComparison.Ordinal).ShouldBeLessThan(upstream.IndexOf("ran p-one", StringComparison.Ordinal));
        upstream.ShouldContain("ran p-one");
    }

    [Fact]
    public async Task At_debug_level_2_each_requests_transforms_are_timed_in_one_log_line()
    {
        var logs = new ListLoggerProvider();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            configure: o => o with { Debug = 2 },
            logging: b => b.AddProvider(logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug));

        await proxy.AssertStillServingAsync();

        logs.Lines.ShouldContain(line => line.Contains("transforms for mlx-lm:") && line.Contains("strip-billing-header") && line.Contains("clamp-max-tokens"));
    }

    [Fact]
    public async Task Below_debug_level_2_nothing_is_timed()
    {
        var logs = new ListLoggerProvider();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            configure: o => o with { Debug = 1 },
            logging: b => b.AddProvider(logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug));

        await proxy.AssertStillServingAsync();

        logs.Lines.ShouldNotContain(line => line.Contains("transforms for"));
    }
}
