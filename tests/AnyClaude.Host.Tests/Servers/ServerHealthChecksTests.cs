using AnyClaude.Host.Servers;

namespace AnyClaude.Host.Tests.Servers;

/// <summary>Where a supervisor asks whether a server it started is serving yet, per kind.</summary>
public sealed class ServerHealthChecksTests
{
    [Theory]
    [InlineData("llama-cpp", "http://localhost:8090/v1", "http://localhost:8090/health")]
    [InlineData("mlx-lm", "http://localhost:8081/v1", "http://localhost:8081/v1/models")]
    [InlineData("lmstudio", "http://localhost:1234/v1/", "http://localhost:1234/v1/models")]
    [InlineData("ollama", "http://localhost:11434", "http://localhost:11434/api/version")]
    [InlineData("anthropic", "http://localhost:8090", "http://localhost:8090/v1/models")]
    [InlineData("openai", "http://gpu:8000/proxy/v1", "http://gpu:8000/proxy/v1/models")]
    public void Each_kind_is_asked_what_says_its_model_is_served(string kind, string url, string address) =>
        ServerHealthChecks.AddressFor(kind, new Uri(url)).ShouldBe(new Uri(address));
}
