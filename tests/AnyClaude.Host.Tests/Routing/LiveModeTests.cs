using System.Net;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Routing;

/// <summary><c>anyclaude mode</c> and <c>anyclaude status</c> against the running proxy, and switching under load.</summary>
public sealed class LiveModeTests
{
    [Fact]
    public async Task Switching_the_default_under_16_concurrent_streams_loses_and_misroutes_none()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a", "b"]);
        string words = string.Join(' ', Enumerable.Range(0, 30).Select(i => $"w{i}"));
        foreach (string name in new[] { "a", "b" })
        {
            proxy[name].RespondWith(_ => ScriptedResponse.Text($"answer from {name}: {words}").WithChunkDelay(TimeSpan.FromMilliseconds(20)));
        }

        async Task<(string? Header, string Text)> StreamAsync()
        {
            using var response = await proxy.PostAsync(MultiBackendProxy.Simple(stream: true));
            string body = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            body.ShouldContain("event: message_stop");
            return (MultiBackendProxy.BackendOf(response), MultiBackendProxy.TextOf(body));
        }

        var before = Enumerable.Range(0, 8).Select(_ => StreamAsync()).ToList();
        await proxy["a"].WaitUntilAsync(f => f.ActiveStreams == 8, TimeSpan.FromSeconds(10), "8 streams running on a");

        var code = await ControlCommands.ModeAsync(proxy.Http.BaseAddress!, "b", null, TextWriter.Null, TextWriter.Null);
        code.ShouldBe(0);
        var after = Enumerable.Range(0, 8).Select(_ => StreamAsync()).ToList();
        var results = await Task.WhenAll(before.Concat(after));

        results.Take(8).ShouldAllBe(r => r.Header == "a" && r.Text == $"answer from a: {words}");
        results.Skip(8).ShouldAllBe(r => r.Header == "b" && r.Text == $"answer from b: {words}");
        proxy["a"].ChatRequests.Count.ShouldBe(8);
        proxy["b"].ChatRequests.Count.ShouldBe(8);
        proxy["a"].CompletedStreams.ShouldBe(8);
        proxy["a"].AbortedStreams.ShouldBe(0);
    }

    [Fact]
    public async Task Mode_to_an_unknown_backend_exits_2_naming_the_configured_ones_and_changes_nothing()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a", "b"]);
        var error = new StringWriter();
        int code = await ControlCommands.ModeAsync(proxy.Http.BaseAddress!, "c", null, TextWriter.Null, error);
        code.ShouldBe(2);
        error.ToString().ShouldContain("'c'");
        error.ToString().ShouldContain("a, b");
        using var response = await proxy.PostAsync(MultiBackendProxy.Simple());
        MultiBackendProxy.BackendOf(response).ShouldBe("a");
    }

    [Fact]
    public async Task Mode_and_status_without_a_running_proxy_say_so_in_one_line()
    {
        var proxy = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/");
        var error = new StringWriter();
        (await ControlCommands.ModeAsync(proxy, "a", null, TextWriter.Null, error)).ShouldBe(1);
        (await ControlCommands.StatusAsync(proxy, null, TextWriter.Null, error)).ShouldBe(1);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines.ShouldAllBe(l => l.StartsWith($"anyclaude: no anyclaude proxy answers on {proxy.GetLeftPart(UriPartial.Authority)}"));
    }

    [Fact]
    public async Task Status_shows_the_default_routes_backends_and_recent_requests()
    {
        await using var proxy = await MultiBackendProxy.StartAsync(
            "a", ["a", "b"],
            routing: new RoutingOptions
            {
                Routes = [new Route(0, new RouteCondition { Background = true }, "b", null)],
            },
            // The title request must reach a backend here (the route under test), not the proxy's local answer.
            configure: o => o with { LocalSideAnswers = false });
        using (await proxy.PostAsync(RequestBodies.Title()))
        {
        }

        using (await proxy.PostAsync(MultiBackendProxy.Simple()))
        {
        }

        (await ControlCommands.ModeAsync(proxy.Http.BaseAddress!, "B", null, TextWriter.Null, TextWriter.Null)).ShouldBe(0);
        var output = new StringWriter();
        (await ControlCommands.StatusAsync(proxy.Http.BaseAddress!, null, output, TextWriter.Null)).ShouldBe(0);
        string text = output.ToString();
        text.ShouldContain("default backend: b");
        text.ShouldContain("routes[0] background=true -> b");
        text.ShouldMatch(@"(?m)^  a\s+openai\s+http://127\.0\.0\.1:\d+/v1/?\s+no recent failures; in flight 0");
        text.ShouldMatch(@"(?m)^  \d\d:\d\d:\d\d b\s+b-model-a\s+title\s+200 ttft \d\.\d{3} s");
        text.ShouldMatch(@"(?m)^  \d\d:\d\d:\d\d a\s+a-model-a\s+turn\s+200 ttft");
    }
}
