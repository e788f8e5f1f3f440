



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Configuration;

/// <summary>The <c>tokenizer</c> backend setting: one of the host's own keys (any kind may set it), not a plugin's extra.</summary>
public sealed class TokenizerSettingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_backends_tokenizer_folder_is_read_for_any_kind_and_is_not_an_extra_setting()
    {
        var result = ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>
        {
            ["ANYCLAUDE_BACKENDS__LMSTUDIO__TOKENIZER"] = "~/models/qwen2.5-coder",
        }, _directory);

        result.Errors.ShouldBeEmpty();
        result.Warnings.ShouldNotContain(w => w.Contains("tokenizer", StringComparison.OrdinalIgnoreCase));
        var lmStudio = result.Options.ShouldNotBeNull().Backends["lmstudio"];
        lmStudio.Tokenizer.ShouldBe("~/models/qwen2.5-coder");
        lmStudio.Extra.ShouldNotContainKey("tokenizer");
        // Naming the built-in lmstudio configures it, and only it (issue 24).
        result.Options.Backends.Keys.ShouldHaveSingleItem().ShouldBe("lmstudio", StringCompareShould.IgnoreCase);
    }
}
