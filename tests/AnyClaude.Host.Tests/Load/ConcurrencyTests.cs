using System.Net;
using System.Text.RegularExpressions;
using System.Text;
using AnyClaude.Host.Tests.Faults;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Load;

/// <summary>Many streams at once to one backend: each completes with its own answer, none mixed up.</summary>
[Collection(LoadCollection.Name)]
public sealed partial class ConcurrencyTests
{
    [Fact]
    public async Task Sixty_four_simultaneous_streams_each_get_their_own_complete_answer()
    {
        const int Streams = 64;
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        proxy.Fake.RespondWith(request =>
        {
            int n = int.Parse(RequestNumber().Match(request.BodyText).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return ScriptedResponse.Text(AnswerFor(n)).WithChunkDelay(TimeSpan.FromMilliseconds(2));
        });
        using var http = new HttpClient { BaseAddress = proxy.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        using var start = new SemaphoreSlim(0);

        var streams = Enumerable.Range(0, Streams).Select(async n =>
        {
            await start.WaitAsync();
            using var response = await http.PostAsync(
                "/v1/messages",
                new StringContent(ProxyHarness.SimpleBody(stream: true, text: $"request #{n}#"), Encoding.UTF8, "application/json"));
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var events = SseReader.Parse(await response.Content.ReadAsStringAsync());
            events[^1].Event.ShouldBe("message_stop", $"stream {n}");
            return (n, BackendFaultTests.TextOf(events));
        }).ToList();
        start.Release(Streams);
        var results = await Task.WhenAll(streams);

        foreach (var (n, text) in results)
        {
            text.ShouldBe(AnswerFor(n), $"stream {n}");
        }

        proxy.Fake.CompletedStreams.ShouldBe(Streams);
        proxy.Fake.ChatRequests.Count.ShouldBe(Streams);
    }

    private static string AnswerFor(int n) => $"Answer for request {n}: " + string.Concat(Enumerable.Repeat($"<{n}>", 20));

    [GeneratedRegex("request #(\\d+)#")]
    private static partial Regex RequestNumber();
}
