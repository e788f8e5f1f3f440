



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationResult Load(Dictionary<string, string?>? environment = null, CommandLineSettings? commandLine = null) =>
        ConfigurationLoader.Load(commandLine ?? new CommandLineSettings(), ProxyHarness.Factories, environment ?? [], _directory);

    private static AnyClaudeOptions Ok(ConfigurationResult result)
    {
        result.Errors.ShouldBeEmpty();
        return result.Options.ShouldNotBeNull();
    }

    [Fact]
    public void Defaults_are_mlx_lm_on_port_8080_with_the_seed_urls()
    {
        var options = Ok(Load());
        options.Mode.ShouldBe("mlx-lm");
        options.Port.ShouldBe(8080);
        options.Debug.ShouldBe(0);
        options.Backends["mlx-lm"].Url.ShouldBe(new Uri("http://localhost:8081/v1"));
        options.Backends["mlx-lm"].Kind.ShouldBe("mlx-lm");
        options.Backends["lmstudio"].Url.ShouldBe(new Uri("http://localhost:1234/v1"));
        options.Backends["lmstudio"].Kind.ShouldBe("lmstudio");
    }

    [Fact]
    public void The_seed_variables_are_honoured()
    {
        var options = Ok(Load(new()
        {
            ["MLX_LM_URL"] = "http://127.0.0.1:9001/v1",
            ["MLX_LM_API_KEY"] = "mlx-key",
            ["MLX_LM_MODEL"] = "mlx-community/Qwen3",
            ["LMSTUDIO_URL"] = "http://127.0.0.1:9002/v1",
            ["LMSTUDIO_API_KEY"] = "lms-key",
            ["LMSTUDIO_MODEL"] = "qwen3-coder",
            ["ANYCLAUDE_MODE"] = "lmstudio",
            ["ANYCLAUDE_PORT"] = "9999",
            ["ANYCLAUDE_DEBUG"] = "2",
        }));
        options.Mode.ShouldBe("lmstudio");
        options.Port.ShouldBe(9999);
        options.Debug.ShouldBe(2);
        options.Backends["mlx-lm"].Url.ShouldBe(new Uri("http://127.0.0.1:9001/v1"));
        options.Backends["mlx-lm"].ApiKey.ShouldBe("mlx-key");
        options.Backends["mlx-lm"].Model.ShouldBe("mlx-community/Qwen3");
        options.Backends["lmstudio"].Url.ShouldBe(new Uri("http://127.0.0.1:9002/v1"));
        options.Backends["lmstudio"].ApiKey.ShouldBe("lms-key");
        options.Backends["lmstudio"].Model.ShouldBe("qwen3-coder");
    }

    [Fact]
    public void Precedence_is_defaults_then_local_file_then_config_file_then_environment_then_command_line()
    {
        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), """{"port": 7001, "debug": 1, "mode": "lmstudio", "backends": {"mlx-lm": {"model": "from-local"}}}""");
        string configFile = Path.Combine(_directory, "custom.json");
        File.WriteAllText(configFile, """{"port": 7002, "backends": {"mlx-lm": {"model": "from-config-file"}}}""");

        Ok(Load()).Port.ShouldBe(7001);
        Ok(Load()).Backends["mlx-lm"].Model.ShouldBe("from-local");
        var fromConfig = Ok(Load(commandLine: new CommandLineSettings { ConfigFile = "custom.json" }));
        fromConfig.Port.ShouldBe(7002);
        fromConfig.Debug.ShouldBe(1);
        fromConfig.Mode.ShouldBe("lmstudio");
        fromConfig.Backends["mlx-lm"].Model.ShouldBe("from-config-file");

        var fromEnvironment = Ok(Load(new() { ["ANYCLAUDE_PORT"] = "7003", ["MLX_LM_MODEL"] = "from-env" }, new CommandLineSettings { ConfigFile = configFile }));
        fromEnvironment.Port.ShouldBe(7003);
        fromEnvironment.Backends["mlx-lm"].Model.ShouldBe("from-env");

        var fromCommandLine = Ok(Load(
            new() { ["ANYCLAUDE_PORT"] = "7003", ["ANYCLAUDE_MODE"] = "lmstudio", ["ANYCLAUDE_DEBUG"] = "2" },
            new CommandLineSettings { ConfigFile = configFile, Port = 7004, Mode = "mlx-lm", Debug = 3 }));
        fromCommandLine.Port.ShouldBe(7004);
        fromCommandLine.Mode.ShouldBe("mlx-lm");
        fromCommandLine.Debug.ShouldBe(3);
    }

    public static TheoryData<string, Dictionary<string, string?>, string?, string> Invalid => new()
    {
        { "port abc", new() { ["ANYCLAUDE_PORT"] = "abc" }, null, "port" },
        { "debug 7", new() { ["ANYCLAUDE_DEBUG"] = "7" }, null, "debug" },
        { "unknown mode", new() { ["ANYCLAUDE_MODE"] = "ollama-nope" }, null, "ollama-nope" },
        { "bad backend URL", new() { ["MLX_LM_URL"] = "not a url" }, null, "not a url" },
        { "malformed JSON file", new(), "{ \"port\": ", "anyclaude.json" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_value_is_one_clear_error_and_no_options(string what, Dictionary<string, string?> environment, string? localFile, string mentioned)
    {
        if (localFile is not null)
        {
            File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), localFile);
        }

        var result = Load(environment);
        result.Options.ShouldBeNull(what);
        result.Errors.Count.ShouldBe(1, string.Join(" | ", result.Errors));
        result.Errors[0].ShouldNotContain("\n");
        result.Errors[0].ShouldContain(mentioned, Case.Insensitive, what);
    }

    [Fact]
    public void A_backend_kind_no_plugin_provides_yet_is_a_warning_so_the_plugin_can_be_dropped_in_later()
    {
        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), """
            {"mode": "textgen", "backends": {"textgen": {"kind": "mlx-textgen", "url": "http://127.0.0.1:5001/v1"}}}
            """);

        var result = Load();

        var options = Ok(result);
        options.Mode.ShouldBe("textgen");
        options.Backends["textgen"].Kind.ShouldBe("mlx-textgen");
        result.Warnings.ShouldHaveSingleItem().ShouldContain("backends.textgen.kind: no loaded plugin provides backends of kind 'mlx-textgen' yet");
    }
}
