using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using AnyClaude.Host.Tests.Faults;
using AnyClaude.TestSupport;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.Load;

/// <summary>Runs only when <c>TEST_ANYCLAUDE_SOAK=1</c>: too long for the default run.</summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("TEST_ANYCLAUDE_SOAK") != "1")
        {
            Skip = "a soak test: run it with TEST_ANYCLAUDE_SOAK=1 (TEST_ANYCLAUDE_SOAK_SECONDS sets its length, default 60)";
        }
    }
}

/// <summary>
/// A bounded soak: 16 clients streaming through the proxy against a fast fake backend for 60 s. No request may
/// fail, and after a warm-up the process's memory, threads and sockets must not grow. The figures go to the
/// test output (docs/reliability.md records a run).
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Clients = 16;

    [SoakFact]
    public async Task Sixteen_clients_streaming_for_a_minute_have_no_errors_and_no_growth()
    {
        var duration = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("TEST_ANYCLAUDE_SOAK_SECONDS"), CultureInfo.InvariantCulture, out int s) ? s : 60);
        var warmUp = TimeSpan.FromSeconds(Math.Min(10, duration.TotalSeconds / 4));
        const string Answer = "A fast answer from the fake backend, streamed in small chunks like a local model would send them. Done.";
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, fakeOptions: new FakeServerOptions { RecordRequests = false });
        proxy.Fake.RespondWith(_ => ScriptedResponse.Text(Answer).WithUsage(100, 30, 80));
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

        long requests = 0;
        long errors = 0;
        var latencies = new List<double>[Clients];
        var clock = Stopwatch.StartNew();
        var samples = new List<(double Seconds, ProcessSample Sample)>();
        using var stop = new CancellationTokenSource(duration);
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None);
                lock (samples)
                {
                    samples.Add((clock.Elapsed.TotalSeconds, ProcessSample.Take()));
                }
            }
        });

        var clients = Enumerable.Range(0, Clients).Select(async c =>
        {
            latencies[c] = [];
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync("/v1/messages", new StringContent(ProxyHarness.SimpleBody(stream: true, text: $"client {c}"), Encoding.UTF8, "application/json"));
                    string body = await response.Content.ReadAsStringAsync();
                    var events = SseReader.Parse(body);
                    if (response.StatusCode != HttpStatusCode.OK || events[^1].Event != "message_stop" || BackendFaultTests.TextOf(events) != Answer)
                    {
                        Interlocked.Increment(ref errors);
                        output.WriteLine($"client {c}: HTTP {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
                    }
                }
                catch (Exception exception)
                {
                    Interlocked.Increment(ref errors);
                    output.WriteLine($"client {c}: {exception.GetType().Name} {exception.Message}");
                }

                Interlocked.Increment(ref requests);
                if (clock.Elapsed > warmUp)
                {
                    latencies[c].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }
        }).ToList();
        await Task.WhenAll(clients);
        await sampler;
        double elapsed = clock.Elapsed.TotalSeconds;

        var measured = latencies.SelectMany(l => l).Order().ToList();
        output.WriteLine($"soak: {Clients} clients, {elapsed:0} s, {requests} streams, {requests / elapsed:0} streams/s, {errors} errors");
        output.WriteLine($"latency after warm-up: p50 {Percentile(measured, 0.50):0.0} ms, p99 {Percentile(measured, 0.99):0.0} ms, max {measured.LastOrDefault():0.0} ms");
        foreach (var (seconds, sample) in samples)
        {
            output.WriteLine($"  t={seconds,5:0} s  {sample}");
        }

        errors.ShouldBe(0);
        requests.ShouldBeGreaterThan(Clients * 10);
        var afterWarmUp = samples.Where(x => x.Seconds >= warmUp.TotalSeconds).Select(x => x.Sample).ToList();
        afterWarmUp.Count.ShouldBeGreaterThanOrEqualTo(2);
        var baseline = afterWarmUp[0];
        foreach (var sample in afterWarmUp.Skip(1))
        {
            (sample.ManagedBytes - baseline.ManagedBytes).ShouldBeLessThan(32L * 1024 * 1024, $"managed memory grew: {baseline} -> {sample}");
            (sample.Threads - baseline.Threads).ShouldBeLessThanOrEqualTo(20, $"threads grew: {baseline} -> {sample}");
            (sample.Sockets - baseline.Sockets).ShouldBeLessThanOrEqualTo(Clients * 2, $"sockets grew: {baseline} -> {sample}");
        }

        await ProcessBounds.AssertWithinAsync(baseline, 32L * 1024 * 1024, 20, Clients * 2, TimeSpan.FromSeconds(15), "after the soak");
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
