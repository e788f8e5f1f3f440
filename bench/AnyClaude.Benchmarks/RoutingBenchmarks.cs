using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;
using BenchmarkDotNet.Attributes;

namespace AnyClaude.Benchmarks;

/// <summary>
/// The routing stage's cost per request on a Claude Code-sized request (~95 KB): classify, then pick the backend.
/// The Parse… rows parse a fresh request per operation, as the proxy does: <see cref="Parse"/> is that baseline, routing
/// the difference; <see cref="RouteOnlyTenRoutes"/> is the stage alone.
/// Ten routes that do not match make every condition kind run, the prompt-size estimate and the image scan included.
/// </summary>
[MemoryDiagnoser]
public class RoutingBenchmarks
{
    private byte[] _body = [];
    private LiveRouting _none = null!;
    private LiveRouting _tenNoMatch = null!;
    private MessagesRequest _parsed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = ClaudeCodeRequest.Create();
        string[] names = ["main", "small", "vision", "bigctx", "reasoner", "fast"];
        var fallbacks = new Dictionary<string, IReadOnlyList<string>>();
        _none = new LiveRouting(new RoutingTable("main", [], fallbacks, names));
        Route[] ten =
        [
            new(0, new RouteCondition { Background = true }, "small", null),
            new(1, new RouteCondition { Model = "*haiku*" }, "small", "qwen3-4b"),
            new(2, new RouteCondition { Images = true }, "vision", null),
            new(3, new RouteCondition { MinPromptTokens = 10_000_000 }, "bigctx", null),
            new(4, new RouteCondition { Thinking = true, Tools = false }, "reasoner", null),
            new(5, new RouteCondition { Tools = false }, "fast", null),
            new(6, new RouteCondition { Class = RequestClass.Classifier }, "small", null),
            new(7, new RouteCondition { Class = RequestClass.Compaction }, "bigctx", null),
            new(8, new RouteCondition { Model = "qwen*", Background = false }, "fast", null),
            new(9, new RouteCondition { Model = "*sonnet*", Images = true }, "reasoner", null),
        ];
        _tenNoMatch = new LiveRouting(new RoutingTable("main", ten, fallbacks, names));
        _parsed = Parse();
    }

    [Benchmark(Baseline = true)]
    public MessagesRequest Parse() => JsonSerializer.Deserialize(_body, AnthropicJsonContext.Default.MessagesRequest)!;

    [Benchmark]
    public string ParseAndRouteNoRoutes() => new Router(_none).Route(Parse(), countTokens: false).Backend;

    [Benchmark]
    public string ParseAndRouteTenRoutes() => new Router(_tenNoMatch).Route(Parse(), countTokens: false).Backend;

    /// <summary>The stage alone, on a parsed request (routing decodes no text, so repeating it on one request is fair).</summary>
    [Benchmark]
    public string RouteOnlyTenRoutes() => new Router(_tenNoMatch).Route(_parsed, countTokens: false).Backend;
}
