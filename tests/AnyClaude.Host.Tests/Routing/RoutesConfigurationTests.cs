



using AnyClaude.Host.Configuration;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Tests.Routing;

/// <summary><c>routes</c> and <c>fallback</c> as the configuration file writes them, through the real loader.</summary>
public sealed class RoutesConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-routes-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationResult Load(string json)
    {
        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), json);
        return ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>(), _directory);
    }

    private const string Backends = """
        "backends": {
          "small": { "kind": "openai", "url": "http://127.0.0.1:9001/v1", "fallback": ["big"] },
          "big": { "kind": "openai", "url": "http://127.0.0.1:9002/v1" }
        }
        """;

    [Fact]
    public void Every_rule_kind_is_read_in_order_with_its_backend_and_model()
    {
        var result = Load($$"""
            {
              "mode": "big",
              {{Backends}},
              "routes": [
                { "when": { "background": true }, "backend": "small" },
                { "when": { "model": "*haiku*" }, "backend": "Small", "model": "qwen3-4b" },
                { "when": { "images": true }, "backend": "big" },
                { "when": { "minPromptTokens": 60000 }, "backend": "big" },
                { "when": { "thinking": true }, "backend": "big" },
                { "when": { "tools": false }, "backend": "small" },
                { "when": { "class": "classifier" }, "backend": "big" }
              ]
            }
            """);
        result.Errors.ShouldBeEmpty();
        var routing = result.Options!.Routing;
        routing.Routes.Select(r => r.Index).ShouldBe([0, 1, 2, 3, 4, 5, 6]);
        routing.Routes[0].When.Background.ShouldBe(true);
        routing.Routes[1].When.Model.ShouldBe("*haiku*");
        routing.Routes[1].Backend.ShouldBe("small");
        routing.Routes[1].Model.ShouldBe("qwen3-4b");
        routing.Routes[2].When.Images.ShouldBe(true);
        routing.Routes[3].When.MinPromptTokens.ShouldBe(60000);
        routing.Routes[4].When.Thinking.ShouldBe(true);
        routing.Routes[5].When.Tools.ShouldBe(false);
        routing.Routes[6].When.Class.ShouldBe(RequestClass.Classifier);
        routing.Fallbacks["small"].ShouldBe(["big"]);
        result.Options.Backends["small"].Extra.ContainsKey("fallback").ShouldBeFalse();
    }

    [Theory]
    [InlineData("subagent", "Subagent")]
    [InlineData("auxiliary", "Auxiliary")]
    [InlineData("workflow", "Workflow")]
    public void Claude_Codes_own_request_classes_can_be_routed(string name, string expectedName)
    {
        var expected = Enum.Parse<RequestClass>(expectedName);
        var result = Load($$"""{ "mode": "big", {{Backends}}, "routes": [ { "when": { "class": "{{name}}" }, "backend": "small" } ] }""");
        result.Errors.ShouldBeEmpty();
        result.Options!.Routing.Routes[0].When.Class.ShouldBe(expected);
    }

    [Fact]
    public void A_route_to_an_unknown_backend_is_an_error_naming_it()
    {
        var result = Load($$"""{ "mode": "big", {{Backends}}, "routes": [ { "when": { "tools": true }, "backend": "vision" } ] }""");
        result.Options.ShouldBeNull();
        result.Errors.ShouldContain(e => e.StartsWith("routes[0].backend: 'vision' names no configured backend") && e.Contains("small") && e.Contains("big"));
    }

    [Theory]
    [InlineData("""{ "when": { "imgs": true }, "backend": "big" }""", "routes[1].when.imgs: unknown condition")]
    [InlineData("""{ "when": { "tools": "sometimes" }, "backend": "big" }""", "routes[1].when.tools: 'sometimes' is not true or false")]
    [InlineData("""{ "when": { "minPromptTokens": "lots" }, "backend": "big" }""", "routes[1].when.minPromptTokens: 'lots' is not a whole number")]
    [InlineData("""{ "when": { "class": "chat" }, "backend": "big" }""", "routes[1].when.class: 'chat' is not a request class")]
    [InlineData("""{ "when": "always", "backend": "big" }""", "routes[1].when: 'always' is not an object")]
    [InlineData("""{ "when": { "model": ["a", "b"] }, "backend": "big" }""", "routes[1].when.model: must be a single value")]
    [InlineData("""{ "when": { "tools": true } }""", "routes[1].backend: missing")]
    [InlineData("""{ "when": { "tools": true }, "backend": "big", "priority": 1 }""", "routes[1].priority: unknown key")]
    public void A_malformed_route_is_an_error_naming_its_index_and_key(string second, string expected)
    {
        var result = Load($$"""{ "mode": "big", {{Backends}}, "routes": [ { "when": { "tools": true }, "backend": "small" }, {{second}} ] }""");
        result.Options.ShouldBeNull();
        result.Errors.ShouldContain(e => e.StartsWith(expected), string.Join("\n", result.Errors));
    }

    [Fact]
    public void A_fallback_to_an_unknown_backend_or_to_itself_is_an_error()
    {
        var result = Load("""
            {
              "mode": "a",
              "backends": {
                "a": { "kind": "openai", "url": "http://127.0.0.1:9001/v1", "fallback": ["nowhere", "a"] }
              }
            }
            """);
        result.Options.ShouldBeNull();
        result.Errors.ShouldContain(e => e.StartsWith("backends.a.fallback: 'nowhere' names no configured backend"));
        result.Errors.ShouldContain("backends.a.fallback: a backend cannot fall back to itself");
    }
}
