using System.Net;
using AnyClaude.Host.Tests.Load;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Streaming;

/// <summary>When the client goes away, the upstream request is aborted (a local model stops generating).</summary>
[Collection(LoadCollection.Name)]
public sealed class CancellationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancelling_a_stream_aborts_the_upstream_request(bool hang)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        proxy.Fake.Enqueue(hang
            ? ScriptedResponse.Text("never sent").Hang()
            : ScriptedResponse.Text(new string('z', 3000)).WithChunkDelay(TimeSpan.FromMilliseconds(200)));

        // MaxResponseDrainSize 0: disposing an unfinished response closes the connection at once, the way a
        // client that gives up does (the default would first try to drain the body for up to 2 s).
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = proxy.BaseUrl };
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(ProxyHarness.SimpleBody(stream: true), System.Text.Encoding.UTF8, "application/json"),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        await foreach (var item in SseReader.ReadAsync(stream, cancel.Token))
        {
            if (item.Event == "message_start")
            {
                break;
            }
        }

        await proxy.Fake.WaitUntilAsync(f => f.ActiveStreams == 1, TimeSpan.FromSeconds(10), "the upstream stream is open");
        await cancel.CancelAsync();
        response.Dispose();

        await proxy.Fake.WaitForAbortedStreamsAsync(1, TimeSpan.FromSeconds(1));
        proxy.Fake.CompletedStreams.ShouldBe(0);
    }
}
