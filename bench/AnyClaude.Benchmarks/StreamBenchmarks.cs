using System.IO.Pipelines;
using System.Net;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Http;
using AnyClaude.LoadBench;
using AnyClaude.OpenAICompat.Backends;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Benchmarks;

/// <summary>
/// Item 1 of the benchmark issue, the streaming half: an upstream Chat Completions stream (200 content chunks, or 20
/// chunks and a tool call in 40 argument fragments; the same bytes the end-to-end fake sends) read by the real
/// backend class (SSE parser, chunk deserialization, translation) and written as Anthropic SSE frames by the real
/// writer into a pipe over <see cref="Stream.Null"/>. The HTTP exchange is an in-memory handler, so what is
/// measured is the proxy's own work per stream; the request is tiny so its rendering does not count.
/// </summary>
[MemoryDiagnoser]
public class StreamBenchmarks
{
    private GenericOpenAIBackend _backend = null!;
    private MessagesRequest _request = null!;
    private CannedHandler _handler = null!;

    [GlobalSetup]
    public void Setup()
    {
        _handler = new CannedHandler(Flatten(Streams.OpenAI(tool: false)), Flatten(Streams.OpenAI(tool: true)));
        var settings = new BackendSettings { Name = "bench", Kind = "openai", Url = new Uri("http://127.0.0.1:1/v1"), Model = "bench-model" };
        _backend = new GenericOpenAIBackend(settings, new BackendServices(new HttpClient(_handler), NullLoggerFactory.Instance, TimeProvider.System));
        _request = new MessagesRequest
        {
            Model = "claude-sonnet-4-5",
            MaxTokens = 1000,
            Stream = true,
            Messages = [new Message { Role = MessageRoles.User, Content = [new TextBlock { Text = "hi" }] }],
        };
    }

    [Benchmark(Baseline = true)]
    public Task<int> Text200Chunks() => TranslateAsync(tool: false);

    [Benchmark]
    public Task<int> ToolCall() => TranslateAsync(tool: true);

    private async Task<int> TranslateAsync(bool tool)
    {
        _handler.Tool = tool;
        var pipe = PipeWriter.Create(Stream.Null);
        var writer = new SseEventWriter(pipe);
        int events = 0;
        await foreach (var streamEvent in _backend.StreamAsync(_request, new BackendCall("req_bench", NullLogger.Instance), default))
        {
            writer.Write(streamEvent);
            events++;
        }

        await pipe.FlushAsync();
        return events;
    }

    private static byte[] Flatten(byte[][] frames) => [.. frames.SelectMany(f => f)];

    private sealed class CannedHandler(byte[] text, byte[] tool) : HttpMessageHandler
    {
        public bool Tool { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(Tool ? tool : text, writable: false)) });
    }
}
