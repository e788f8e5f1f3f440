using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Http;
using AnyClaude.Host.Pipelines;
using AnyClaude.LoadBench;
using AnyClaude.OpenAICompat.Backends;
using AnyClaude.OpenAICompat.ToolCalls;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Benchmarks;

/// <summary>
/// The text tool-call parser on and off in one run: the 200-chunk plain-text stream of <see cref="StreamBenchmarks"/>
/// (a request offering tools, so the parser scans every chunk) read by the real backend, through the response pipeline
/// or not, and written as SSE; and the same up to the first text delta (the parser's share of the time to first token).
/// </summary>
[MemoryDiagnoser]
public class ResponsePipelineBenchmarks
{
    private IBackend _plain = null!;
    private IBackend _parsed = null!;
    private MessagesRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var handler = new CannedHandler([.. Streams.OpenAI(tool: false).SelectMany(f => f)]);
        var settings = new BackendSettings { Name = "bench", Kind = "openai", Url = new Uri("http://127.0.0.1:1/v1"), Model = "bench-model" };
        _plain = new GenericOpenAIBackend(settings, new BackendServices(new HttpClient(handler), NullLoggerFactory.Instance, TimeProvider.System));
        _parsed = new ResponsePipelineBackend(_plain, new ResponsePipeline("bench", [new ResponseStep(TextToolCallTransform.TransformName, TransformKind.BuiltIn, new TextToolCallTransform())]));
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"file_path":{"type":"string"}}}""").RootElement.Clone();
        _request = new MessagesRequest
        {
            Model = "claude-sonnet-4-5",
            MaxTokens = 1000,
            Stream = true,
            Messages = [new Message { Role = MessageRoles.User, Content = [new TextBlock { Text = "hi" }] }],
            Tools = [new Tool { Name = "Read", InputSchema = schema }, new Tool { Name = "Write", InputSchema = schema }],
        };
    }

    [Benchmark(Baseline = true)]
    public Task<int> Text200ParserOff() => StreamAsync(_plain);

    [Benchmark]
    public Task<int> Text200ParserOn() => StreamAsync(_parsed);

    [Benchmark]
    public Task<int> FirstTokenParserOff() => FirstTokenAsync(_plain);

    [Benchmark]
    public Task<int> FirstTokenParserOn() => FirstTokenAsync(_parsed);

    private async Task<int> StreamAsync(IBackend backend)
    {
        var pipe = PipeWriter.Create(Stream.Null);
        var writer = new SseEventWriter(pipe);
        int events = 0;
        await foreach (var streamEvent in backend.StreamAsync(_request, new BackendCall("req_bench", NullLogger.Instance), default))
        {
            writer.Write(streamEvent);
            events++;
        }

        await pipe.FlushAsync();
        return events;
    }

    private async Task<int> FirstTokenAsync(IBackend backend)
    {
        int events = 0;
        await foreach (var streamEvent in backend.StreamAsync(_request, new BackendCall("req_bench", NullLogger.Instance), default))
        {
            events++;
            if (streamEvent is ContentBlockDeltaEvent)
            {
                break;
            }
        }

        return events;
    }

    private sealed class CannedHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(body, writable: false)) });
    }
}

/// <summary>
/// <c>parser-ab [rounds]</c>: the same streams as <see cref="ResponsePipelineBenchmarks"/>, parser off and on
/// alternating in one process (so drift of a shared machine hits both alike); prints the medians.
/// </summary>
internal static class ParserAlternation
{
    public static async Task<int> RunAsync(int rounds)
    {
        var bench = new ResponsePipelineBenchmarks();
        bench.Setup();
        var off = new List<double>();
        var on = new List<double>();
        var firstOff = new List<double>();
        var firstOn = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            off.Add(await TimeAsync(bench.Text200ParserOff));
            on.Add(await TimeAsync(bench.Text200ParserOn));
            firstOff.Add(await TimeAsync(bench.FirstTokenParserOff));
            firstOn.Add(await TimeAsync(bench.FirstTokenParserOn));
        }

        // The first third is warm-up (tiered JIT).
        static double Median(List<double> values) => values.Skip(values.Count / 3).Order().ElementAt((values.Count - values.Count / 3) / 2);
        Console.WriteLine($"200-chunk stream: parser off {Median(off):0.0} µs, on {Median(on):0.0} µs ({(Median(on) / Median(off) - 1) * 100:+0.0;-0.0}%)");
        Console.WriteLine($"to the first text delta: parser off {Median(firstOff):0.00} µs, on {Median(firstOn):0.00} µs ({Median(firstOn) - Median(firstOff):+0.00;-0.00} µs)");
        return 0;
    }

    private static async Task<double> TimeAsync(Func<Task<int>> run)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await run();
        return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
}
