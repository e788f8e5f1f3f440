using System.Net;
using System.Text;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Load;

/// <summary>
/// Clients that go away mid-stream, a thousand times: every upstream request is aborted and nothing piles up
/// (open streams on the fake, memory, threads, sockets). One disconnect's abort within a second is proven in
/// <see cref="Streaming.CancellationTests"/>.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class DisconnectTests
{
    private const int Disconnects = 1000;
    private const int Concurrency = 8;

    [Fact]
    public async Task A_thousand_mid_stream_disconnects_abort_every_upstream_request_and_leak_nothing()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, fakeOptions: new FakeServerOptions { RecordRequests = false });
        proxy.Fake.RespondWith(_ => ScriptedResponse.Text("never sent").Hang());
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0, PooledConnectionLifetime = TimeSpan.FromSeconds(1) })
        {
            BaseAddress = proxy.BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };

        await RunAsync(http, 50);
        await proxy.Fake.WaitUntilAsync(f => f.AbortedStreams >= 50 && f.ActiveStreams == 0, TimeSpan.FromSeconds(20), "warm-up aborted");
        var before = ProcessSample.Take();

        await RunAsync(http, Disconnects);

        await proxy.Fake.WaitUntilAsync(
            f => f.AbortedStreams >= 50 + Disconnects && f.ActiveStreams == 0,
            TimeSpan.FromSeconds(30),
            $"{Disconnects} more aborted streams and none open");
        proxy.Fake.CompletedStreams.ShouldBe(0);
        await ProcessBounds.AssertWithinAsync(before, managedBytes: 32L * 1024 * 1024, threads: 30, sockets: 24, TimeSpan.FromSeconds(15), $"{Disconnects} disconnects");

        proxy.Fake.RespondWith(null);
        await proxy.AssertStillServingAsync();
    }

    private static async Task RunAsync(HttpClient http, int count)
    {
        int next = 0;
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                await DisconnectAfterMessageStartAsync(http);
            }
        });
        await Task.WhenAll(workers);
    }

    private static async Task DisconnectAfterMessageStartAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(ProxyHarness.SimpleBody(stream: true), Encoding.UTF8, "application/json"),
        };
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        await foreach (var item in SseReader.ReadAsync(stream, cancel.Token))
        {
            if (item.Event == "message_start")
            {
                break;
            }
        }

        // Leaving the using block disposes the unfinished response: the connection closes, as when claude is killed.
    }
}
