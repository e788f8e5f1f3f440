using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Scripting;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Benchmarks;

/// <summary>
/// Per-request cost of the transform pipeline on a Claude Code-sized request (~95 KB). The request is mutated by
/// the transforms, so each operation parses a fresh one: <see cref="Parse"/> is that baseline, and the pipeline's
/// own cost is the difference.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private byte[] _body = [];
    private RequestPipeline _builtIns = null!;
    private RequestPipeline _withScripts = null!;
    private IBackend _backend = null!;
    private BackendCall _call = null!;
    private string _scratch = "";

    public int RequestBytes => _body.Length;

    [GlobalSetup]
    public void Setup()
    {
        _body = ClaudeCodeRequest.Create();
        _backend = new BenchBackend();
        _call = new BackendCall("req_bench", NullLogger.Instance);
        var settings = new BackendOptions { Name = "mlx-lm", Kind = "mlx-lm", Url = new Uri("http://localhost:8081/v1"), CleanSchemaKeywords = ["format"] };
        _builtIns = TransformCatalog.BuiltInOnly.Build("mlx-lm", settings, _backend.Capabilities, NullLoggerFactory.Instance, timed: false);

        // Two scripts: the shipped trim-system-prompt sample and a small one that edits the model and max_tokens.
        _scratch = Path.Combine(Path.GetTempPath(), "anyclaude-bench-" + Guid.NewGuid().ToString("N"));
        string scripts = Directory.CreateDirectory(Path.Combine(_scratch, "scripts")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "scripts", "samples", "trim-system-prompt.csx"), Path.Combine(scripts, "a-trim-system-prompt.csx"));
        File.WriteAllText(Path.Combine(scripts, "b-model.csx"), """
            if (Backend.Capabilities.Tools && Request.Tools is { Count: > 0 })
            {
                Request.Model = "local-model";
                Request.MaxTokens = Math.Min(Request.MaxTokens ?? 8192, 8192);
            }
            """);
        var set = ScriptLoader.Load([scripts], Path.Combine(_scratch, "cache"));
        if (set.Errors.Count > 0 || set.Scripts.Count != 2)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, set.Errors));
        }

        _withScripts = new TransformCatalog([], set).Build("mlx-lm", settings, _backend.Capabilities, NullLoggerFactory.Instance, timed: false);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_scratch, recursive: true);

    [Benchmark(Baseline = true)]
    public MessagesRequest Parse() => JsonSerializer.Deserialize(_body, AnthropicJsonContext.Default.MessagesRequest)!;

    [Benchmark]
    public async Task<MessagesRequest> ParseAndBuiltIns()
    {
        var request = Parse();
        await _builtIns.ApplyAsync(new RequestContext(request, _backend, _call), default);
        return request;
    }

    [Benchmark]
    public async Task<MessagesRequest> ParseAndBuiltInsAndTwoScripts()
    {
        var request = Parse();
        await _withScripts.ApplyAsync(new RequestContext(request, _backend, _call), default);
        return request;
    }

    private sealed class BenchBackend : IBackend
    {
        public string Name => "mlx-lm";

        public BackendCapabilities Capabilities { get; } = new() { Tools = true, MaxOutputTokens = 16384 };

        public Uri BaseUrl { get; } = new("http://localhost:8081/v1");

        public IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
