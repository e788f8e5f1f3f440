



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Configuration;

/// <summary>
/// Issue 24, point 4: the built-in backends are there when nothing names a backend; a configuration that names its
/// own gets just those, plus a built-in one only when it is asked for by name (mode, its URL variable).
/// </summary>
public sealed class ConfiguredBackendsTests : IDisposable
{
    private const string TwoBackends = """
        {"mode": "mlx", "backends": {
          "mlx": {"kind": "mlx-lm", "url": "http://127.0.0.1:8081/v1"},
          "big": {"kind": "llama-cpp", "url": "http://127.0.0.1:8090/v1"}}}
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationResult Load(string? json, Dictionary<string, string?>? environment = null, CommandLineSettings? commandLine = null)
    {
        if (json is not null)
        {
            File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), json);
        }

        return ConfigurationLoader.Load(commandLine ?? new CommandLineSettings(), ProxyHarness.Factories, environment ?? [], _directory);
    }

    [Fact]
    public void Nothing_configured_gets_every_built_in_backend()
    {
        var result = Load(null);

        result.Errors.ShouldBeEmpty();
        result.Options.ShouldNotBeNull().Backends.Keys.Order().ShouldBe(["exo", "llama-cpp", "lmstudio", "mlx-lm", "openai", "vllm"]);
        result.Options.Mode.ShouldBe("mlx-lm");
    }

    [Fact]
    public void A_configuration_that_names_two_backends_gets_just_those_two()
    {
        var result = Load(TwoBackends);

        result.Errors.ShouldBeEmpty();
        result.Options.ShouldNotBeNull().Backends.Keys.Order().ShouldBe(["big", "mlx"]);
    }

    [Fact]
    public void One_configured_backend_is_the_default_without_a_mode()
    {
        var result = Load("""{"backends": {"box": {"kind": "llama-cpp", "url": "http://127.0.0.1:8090/v1"}}}""");

        result.Errors.ShouldBeEmpty();
        result.Options.ShouldNotBeNull().Mode.ShouldBe("box");
        result.Options.Backends.Keys.ShouldBe(["box"]);
    }

    [Fact]
    public void Several_configured_backends_without_a_mode_is_one_error_naming_them()
    {
        var result = Load("""{"backends": {"a": {"kind": "llama-cpp", "url": "http://127.0.0.1:8090/v1"}, "b": {"kind": "vllm", "url": "http://127.0.0.1:8000/v1"}}}""");

        result.Options.ShouldBeNull();
        result.Errors.ShouldHaveSingleItem().ShouldBe("mode: not set, and the configuration names several backends (a, b); set mode (or --mode NAME) to the one requests go to by default");
    }

    [Fact]
    public void A_built_in_backend_named_in_the_configuration_keeps_its_kind_and_url()
    {
        var result = Load("""{"backends": {"lmstudio": {"model": "qwen3-coder"}}}""");

        result.Errors.ShouldBeEmpty();
        var lmstudio = result.Options.ShouldNotBeNull().Backends.ShouldHaveSingleItem().Value;
        lmstudio.Kind.ShouldBe("lmstudio");
        lmstudio.Url.ShouldBe(new Uri("http://localhost:1234/v1"));
        lmstudio.Model.ShouldBe("qwen3-coder");
    }

    [Fact]
    public void Mode_naming_a_built_in_backend_adds_it_to_the_configured_ones()
    {
        var result = Load(TwoBackends, commandLine: new CommandLineSettings { Mode = "lmstudio" });

        result.Errors.ShouldBeEmpty();
        result.Options.ShouldNotBeNull().Mode.ShouldBe("lmstudio");
        result.Options.Backends.Keys.Order().ShouldBe(["big", "lmstudio", "mlx"]);
    }

    [Fact]
    public void A_seed_url_variable_adds_its_built_in_backend_and_the_other_seed_variables_set_it()
    {
        var result = Load(TwoBackends, new()
        {
            ["LMSTUDIO_URL"] = "http://127.0.0.1:9002/v1",
            ["LMSTUDIO_MODEL"] = "qwen3-coder",
            // Only a URL asks for a backend: a model or key alone does not.
            ["VLLM_MODEL"] = "Qwen/Qwen3",
        });

        result.Errors.ShouldBeEmpty();
        var backends = result.Options.ShouldNotBeNull().Backends;
        backends.Keys.Order().ShouldBe(["big", "lmstudio", "mlx"]);
        backends["lmstudio"].Url.ShouldBe(new Uri("http://127.0.0.1:9002/v1"));
        backends["lmstudio"].Model.ShouldBe("qwen3-coder");
    }
}
