using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Host.Http;
using AnyClaude.OpenAICompat.Rendering;
using BenchmarkDotNet.Attributes;

namespace AnyClaude.Benchmarks;

/// <summary>
/// Item 1 of the benchmark issue, the request half: a Claude Code-sized request (~96 KB, see
/// <see cref="ClaudeCodeRequest"/>) checked and parsed as the endpoint does (UTF-8 check, depth check, source-generated
/// deserialization), then rendered into the upstream Chat Completions body, into a pooled buffer as the backend does.
/// The transform pipeline between the two is <see cref="PipelineBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    private static readonly ChatRenderOptions Options = new() { Model = "bench-model", MaxOutputTokens = 16384, MaxTokensField = "max_completion_tokens" };
    private byte[] _body = [];
    private MessagesRequest _parsed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = ClaudeCodeRequest.Create();
        _parsed = Parse();
    }

    [Benchmark(Baseline = true)]
    public MessagesRequest Parse()
    {
        return MessagesRequestReader.Parse(_body, 64);
    }

    [Benchmark]
    public int Render()
    {
        using var buffer = new PooledBufferWriter(128 * 1024);
        ChatRequestRenderer.RenderTo(buffer, _parsed, Options, []);
        return buffer.WrittenCount;
    }

    [Benchmark]
    public int ParseAndRender()
    {
        var request = Parse();
        using var buffer = new PooledBufferWriter(128 * 1024);
        ChatRequestRenderer.RenderTo(buffer, request, Options, []);
        return buffer.WrittenCount;
    }
}
