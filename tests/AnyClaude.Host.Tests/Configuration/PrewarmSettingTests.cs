
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Configuration;

public sealed class PrewarmSettingTests
{
    [Fact]
    public void The_prewarm_setting_is_read_and_on_by_default()
    {
        string folder = Directory.CreateTempSubdirectory("anyclaude-prewarm-config").FullName;
        try
        {
            var off = Load(folder, """{"prewarm": false}""");
            off.Errors.ShouldBeEmpty();
            off.Options!.Prewarm.ShouldBeFalse();
            var on = Load(folder, "{}");
            on.Options!.Prewarm.ShouldBeTrue();
            on.Options.WarmDirectory.ShouldBe(Path.Combine(ConfigurationLoader.UserDirectory, "warm"));
            Load(folder, """{"prewarm": "sometimes"}""").Errors.ShouldContain(e => e.Contains("prewarm"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ConfigurationResult Load(string folder, string json)
    {
        string file = Path.Combine(folder, "settings.json");
        File.WriteAllText(file, json);
        return ConfigurationLoader.Load(new CommandLineSettings { ConfigFile = file }, ProxyHarness.Factories, new Dictionary<string, string?>(), folder);
    }
}
