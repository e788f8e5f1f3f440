



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Configuration;

/// <summary>A typo in a setting's name is reported, not silently ignored with the default in its place.</summary>
public sealed class UnknownSettingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string LocalFile => Path.Combine(_directory, "anyclaude.json");

    private ConfigurationResult Load(Dictionary<string, string?>? environment = null, CommandLineSettings? commandLine = null) =>
        ConfigurationLoader.Load(commandLine ?? new CommandLineSettings(), ProxyHarness.Factories, environment ?? [], _directory);

    [Fact]
    public void An_unknown_top_level_key_is_an_error_naming_the_file_the_key_and_the_nearest_known_one()
    {
        File.WriteAllText(LocalFile, """{"mdoe": "lmstudio", "prot": 9000}""");

        var result = Load();

        result.Options.ShouldBeNull();
        result.Errors.ShouldBe(
        [
            $"{LocalFile}: unknown setting 'mdoe' (did you mean 'mode'?)",
            $"{LocalFile}: unknown setting 'prot' (did you mean 'port'?)",
        ], ignoreOrder: true);
    }

    [Fact]
    public void A_key_like_nothing_known_lists_the_known_ones()
    {
        File.WriteAllText(LocalFile, """{"colour": "blue"}""");

        var error = Load().Errors.ShouldHaveSingleItem();

        error.ShouldStartWith($"{LocalFile}: unknown setting 'colour' (known: mode, host, port,");
    }

    [Fact]
    public void An_unknown_backend_key_is_a_warning_and_still_reaches_the_plugin_as_an_extra_setting()
    {
        File.WriteAllText(LocalFile, """{"mode": "llama", "backends": {"llama": {"kind": "openai", "urll": "http://localhost:8090/v1", "url": "http://localhost:8091/v1"}}}""");

        var result = Load();

        var options = result.Options.ShouldNotBeNull(string.Join(" | ", result.Errors));
        result.Warnings.ShouldHaveSingleItem().ShouldBe($"{LocalFile}: backends.llama: unknown setting 'urll' (did you mean 'url'?); passed to the plugin as an extra setting");
        options.Backends["llama"].Extra["urll"].ShouldBe("http://localhost:8090/v1");
    }

    [Fact]
    public void The_extra_settings_a_plugin_declares_draw_no_warning()
    {
        File.WriteAllText(LocalFile, """{"mode": "ollama", "backends": {"ollama": {"kind": "openai", "url": "http://localhost:11434/v1", "thinking": "reasoning_effort", "maxTokensField": "max_completion_tokens"}}}""");

        var result = Load();

        result.Errors.ShouldBeEmpty();
        result.Warnings.ShouldBeEmpty();
        result.Options!.Backends["ollama"].Extra["thinking"].ShouldBe("reasoning_effort");
    }

    [Fact]
    public void A_serilog_section_is_free_form()
    {
        File.WriteAllText(LocalFile, """{"Serilog": {"MinimumLevel": {"Override": {"Microsoft": "Error"}}, "WriteTo": [{"Name": "Console"}]}}""");

        var result = Load();

        result.Errors.ShouldBeEmpty();
        result.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void An_environment_variable_typo_is_reported_by_its_name()
    {
        var result = Load(new()
        {
            ["ANYCLAUDE_MDOE"] = "lmstudio",
            ["ANYCLAUDE_BACKENDS__MLX-LM__MODLE"] = "qwen",
            ["ANYCLAUDE_PORT"] = "9000",
            ["ANYCLAUDE_API_KEY"] = "k",
        });

        result.Errors.ShouldHaveSingleItem().ShouldBe("ANYCLAUDE_MDOE: unknown setting 'MDOE' (did you mean 'mode'?)");
        result.Warnings.ShouldHaveSingleItem().ShouldBe("ANYCLAUDE_BACKENDS__MLX-LM__MODLE: backends.MLX-LM: unknown setting 'MODLE' (did you mean 'model'?); passed to the plugin as an extra setting");
    }

    [Fact]
    public void The_config_file_is_checked_too()
    {
        string file = Path.Combine(_directory, "custom.json");
        File.WriteAllText(file, """{"debgu": 2}""");

        Load(commandLine: new CommandLineSettings { ConfigFile = file }).Errors.ShouldHaveSingleItem()
            .ShouldBe($"{file}: unknown setting 'debgu' (did you mean 'debug'?)");
    }

    [Fact]
    public void A_json_syntax_error_names_the_file_line_and_column()
    {
        File.WriteAllText(LocalFile, "{\n  \"mode\": \"mlx-lm\",\n  \"port\": 12 13\n}\n");

        var error = Load().Errors.ShouldHaveSingleItem();

        error.ShouldStartWith($"{LocalFile}:3:14: invalid JSON: ");
        error.ShouldNotContain("LineNumber");
    }
}
