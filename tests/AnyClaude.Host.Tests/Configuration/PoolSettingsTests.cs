



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Configuration;

/// <summary><c>urls</c> on a backend entry (a pool of replicas), <c>localSideAnswers</c> and <c>rewarm</c>.</summary>
public sealed class PoolSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationResult Load(string json)
    {
        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), json);
        return ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>(), _directory);
    }

    [Fact]
    public void A_backend_with_urls_is_a_pool_whose_first_url_names_it()
    {
        var result = Load("""
            {"mode": "farm", "localSideAnswers": false, "rewarm": true,
             "backends": {"farm": {"kind": "llama-cpp", "urls": ["http://10.0.0.1:8090/v1", "http://10.0.0.2:8090/v1"]}}}
            """);

        result.Errors.ShouldBeEmpty();
        var options = result.Options.ShouldNotBeNull();
        options.Backends["farm"].Urls.ShouldBe([new Uri("http://10.0.0.1:8090/v1"), new Uri("http://10.0.0.2:8090/v1")]);
        options.Backends["farm"].Url.ShouldBe(new Uri("http://10.0.0.1:8090/v1"));
        // A configuration that names its backends gets just those (issue 24).
        options.Backends.Keys.ShouldBe(["farm"]);
        options.LocalSideAnswers.ShouldBeFalse();
        options.Rewarm.ShouldBeTrue();
    }

    [Fact]
    public void A_bad_url_in_the_list_is_one_clear_error()
    {
        var result = Load("""
            {"mode": "farm", "backends": {"farm": {"kind": "llama-cpp", "urls": ["http://10.0.0.1:8090/v1", "ftp://nope"]}}}
            """);

        result.Errors.ShouldContain("backends.farm.urls: 'ftp://nope' is not an absolute http(s) URL");
    }
}
