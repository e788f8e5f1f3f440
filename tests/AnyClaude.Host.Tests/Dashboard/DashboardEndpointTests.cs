using System.Net;
using System.Text.Json;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Dashboard;

/// <summary>The dashboard's files and its event stream over plain HTTP (the browser test checks the page itself).</summary>
public sealed class DashboardEndpointTests
{
    [Fact]
    public async Task The_page_and_its_files_are_served_from_the_host_and_reference_nothing_elsewhere()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a"]);
        foreach (var (path, type) in new[] { ("/ui", "text/html"), ("/ui/dashboard.js", "text/javascript"), ("/ui/dashboard.css", "text/css") })
        {
            using var response = await proxy.Http.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe(type);
            string text = await response.Content.ReadAsStringAsync();
            text.ShouldNotContain("http://", customMessage: path);
            text.ShouldNotContain("https://", customMessage: path);
        }

        using var missing = await proxy.Http.GetAsync("/ui/nothing.js");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_event_stream_sends_snapshots_with_status_live_requests_and_series()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a", "b"]);
        proxy["a"].RespondWith(_ => ScriptedResponse.Text("hi").WithUsage(100, 2, 50));
        using (var answered = await proxy.PostAsync(MultiBackendProxy.Simple()))
        {
            answered.EnsureSuccessStatusCode();
        }

        using var response = await proxy.Http.GetAsync("/ui/events", HttpCompletionOption.ResponseHeadersRead);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).ShouldBe("event: snapshot");
        string data = (await reader.ReadLineAsync())!;
        data.ShouldStartWith("data: ");
        using var json = JsonDocument.Parse(data["data: ".Length..]);
        json.RootElement.GetProperty("status").GetProperty("mode").GetString().ShouldBe("a");
        json.RootElement.GetProperty("live").GetArrayLength().ShouldBe(0);
        var series = json.RootElement.GetProperty("series");
        series.GetProperty("a").GetArrayLength().ShouldBe(1);
        series.GetProperty("a")[0][2].GetDouble().ShouldBe(0.5);
        series.GetProperty("b").GetArrayLength().ShouldBe(0);
    }
}
