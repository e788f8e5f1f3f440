



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Tests.Configuration;

/// <summary>A backend's <c>maxInFlight</c>: requests sent at once before the proxy queues the rest.</summary>
public sealed class MaxInFlightSettingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationResult Load(string json)
    {
        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), json);
        return ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>(), _directory);
    }

    [Fact]
    public void It_is_read_per_backend_and_absent_leaves_it_to_the_server()
    {
        var result = Load("""{"mode": "llama", "backends": {"llama": {"kind": "llama-cpp", "url": "http://127.0.0.1:8090/v1", "maxInFlight": 3}, "off": {"kind": "openai", "url": "http://127.0.0.1:9/v1", "maxInFlight": 0}, "plain": {"kind": "openai", "url": "http://127.0.0.1:10/v1"}}}""");

        result.Errors.ShouldBeEmpty();
        var options = result.Options.ShouldNotBeNull();
        options.Backends["llama"].MaxInFlight.ShouldBe(3);
        options.Backends["llama"].Extra.ContainsKey("maxInFlight").ShouldBeFalse();
        options.Backends["off"].MaxInFlight.ShouldBe(0);
        options.Backends["plain"].MaxInFlight.ShouldBeNull();
    }

    [Fact]
    public void A_value_that_is_not_a_count_is_an_error_naming_the_key()
    {
        var result = Load("""{"mode": "llama", "backends": {"llama": {"kind": "llama-cpp", "url": "http://127.0.0.1:8090/v1", "maxInFlight": -1}}}""");

        result.Errors.ShouldContain("backends.llama.maxInFlight: '-1' is not a whole number from 0 to 10000");
    }
}
