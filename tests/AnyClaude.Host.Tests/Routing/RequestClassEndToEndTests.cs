using System.Net.Http.Headers;
using System.Net;
using System.Text.Json.Nodes;
using System.Text;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Requests;
using AnyClaude.Host.Tests.Diagnostics;
using AnyClaude.TestSupport;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>
/// Claude Code 2.1.337's <c>x-claude-code-request-class</c> through the real proxy: the class routes the request
/// (<c>class: subagent</c> to a smaller backend, as the configuration file writes it) and shows in the log line,
/// <c>anyclaude status</c> and the metrics' <c>class</c> tag.
/// </summary>
public sealed class RequestClassEndToEndTests
{
    [Fact]
    public async Task A_request_marked_subagent_is_classed_subagent_end_to_end_and_routed_by_class()
    {
        string id = Guid.NewGuid().ToString("N")[..8];
        string big = $"big{id}", small = $"small{id}";
        var logs = new CapturedLogs();
        await using var proxy = await MultiBackendProxy.StartAsync(
            big,
            [big, small],
            routing: new RoutingOptions { Routes = [new Route(0, new RouteCondition { Class = RequestClass.Subagent }, small, null)] },
            logging: logs.Configure);

        using (var subagent = await SendAsync(proxy, RequestBodies.Turn(stream: false), ("x-claude-code-request-class", "subagent"), ("x-claude-code-agent-type", "Explore"), ("x-claude-code-agent-id", "a7f3")))
        {
            subagent.StatusCode.ShouldBe(HttpStatusCode.OK, await subagent.Content.ReadAsStringAsync());
            MultiBackendProxy.BackendOf(subagent).ShouldBe(small);
        }

        // An older version (no class header) still marks a subagent by its id.
        using (var older = await SendAsync(proxy, RequestBodies.Turn(stream: false), ("x-claude-code-agent-id", "a7f3")))
        {
            MultiBackendProxy.BackendOf(older).ShouldBe(small);
        }

        using (var main = await SendAsync(proxy, RequestBodies.Turn(stream: false), ("x-claude-code-request-class", "main")))
        {
            MultiBackendProxy.BackendOf(main).ShouldBe(big);
        }

        using (var memory = await SendAsync(proxy, RequestBodies.Turn(prompt: "Extract memories", stream: false), ("x-claude-code-request-class", "auxiliary"), ("x-claude-code-auxiliary-type", "memory_save")))
        {
            MultiBackendProxy.BackendOf(memory).ShouldBe(big);
        }

        // The title request arrives as `auxiliary` in 2.1.337: still answered by the proxy, as its body's marks say.
        using (var title = await SendAsync(proxy, RequestBodies.Title(), ("x-claude-code-request-class", "auxiliary")))
        {
            MultiBackendProxy.BackendOf(title).ShouldBe("anyclaude");
        }

        proxy[small].ChatRequests.Count.ShouldBe(2);
        proxy[big].ChatRequests.Count.ShouldBe(2);

        var lines = logs.Entries.Where(e => e.Level == LogLevel.Information && e.Message.Contains(" ttft=")).Select(e => e.Message).ToList();
        lines.Count.ShouldBe(5);
        lines[0].ShouldContain($" {small} ");
        lines[0].ShouldContain(" class=subagent/Explore ");
        lines[1].ShouldContain(" class=subagent ");
        lines[2].ShouldContain(" class=turn ");
        lines[3].ShouldContain(" class=auxiliary/memory_save ");
        lines[4].ShouldContain(" class=title ");

        var output = new StringWriter();
        (await ControlCommands.StatusAsync(proxy.Http.BaseAddress!, null, output, TextWriter.Null)).ShouldBe(0);
        string status = output.ToString();
        status.ShouldMatch($@"(?m)^  \d\d:\d\d:\d\d {small}\s+\S+\s+subagent/Explore\s+200 ");
        status.ShouldMatch(@"(?m)\s+auxiliary/memory_save\s+200 ");

        using var scrape = await proxy.Http.GetAsync("/metrics");
        string text = await scrape.Content.ReadAsStringAsync();
        var metrics = PrometheusText.Parse(text);
        metrics.Sum("anyclaude_requests_total", ("backend", small), ("class", "subagent/Explore")).ShouldBe(1, text);
        metrics.Sum("anyclaude_requests_total", ("backend", small), ("class", "subagent")).ShouldBe(1, text);
        metrics.Sum("anyclaude_requests_total", ("backend", big), ("class", "turn")).ShouldBe(1, text);
        metrics.Sum("anyclaude_requests_total", ("backend", big), ("class", "auxiliary/memory_save")).ShouldBe(1, text);
    }

    private static async Task<HttpResponseMessage> SendAsync(MultiBackendProxy proxy, JsonObject body, params (string Name, string Value)[] headers)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        foreach (var (name, value) in headers)
        {
            message.Headers.Add(name, value);
        }

        var response = await proxy.Http.SendAsync(message);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
