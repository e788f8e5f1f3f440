using System.Diagnostics;
using System.Net;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Http;

/// <summary>A backend URL that is the proxy's own address must not make it call itself until it dies.</summary>
public sealed class LoopDetectionTests
{
    public static TheoryData<ServerFlavor> AllKinds => new() { ServerFlavor.MlxLm, ServerFlavor.LmStudio, ServerFlavor.Generic };

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Every_upstream_request_carries_the_hop_header_naming_its_backend(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        await proxy.AssertStillServingAsync();

        // The openai and lmstudio kinds also list the models first: that request carries it too.
        proxy.Fake.Requests.ShouldNotBeEmpty();
        foreach (var request in proxy.Fake.Requests)
        {
            string? hop = request.Header(HopHeader.Name);
            hop.ShouldNotBeNull($"{request.Method} {request.Path}");
            hop.ShouldBe($"{HopHeader.ProcessId};backend={proxy.BackendName}");
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task A_backend_pointing_at_the_proxy_itself_gets_one_error_naming_it_instead_of_recursing(ServerFlavor flavor)
    {
        int port = ProxyHarness.ClosedPort();
        await using var proxy = await ProxyHarness.StartAsync(
            flavor,
            configure: options => options with { Port = port },
            backendDown: true,
            configureBackend: backend => backend with { Url = new Uri($"http://localhost:{port}/v1") });

        var stopwatch = Stopwatch.StartNew();
        using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false));
        var (type, message) = await ErrorBodies.ReadAsync(response);

        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway, message);
        type.ShouldBe("api_error");
        message.ShouldContain($"backend '{proxy.BackendName}'");
        message.ShouldContain("points back at this anyclaude");
        response.Headers.GetValues("x-should-retry").ShouldBe(["false"]);
    }

    [Fact]
    public async Task Listing_models_through_a_self_pointing_backend_answers_an_error_too()
    {
        // The reported crash: GET /v1/models asks the backend for its models, which asked the proxy, which asked the backend, …
        int port = ProxyHarness.ClosedPort();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LmStudio,
            configure: options => options with { Port = port },
            backendDown: true,
            configureBackend: backend => backend with { Url = new Uri($"http://127.0.0.1:{port}/v1") });

        using var response = await proxy.Http.GetAsync("/v1/models");
        var (_, message) = await ErrorBodies.ReadAsync(response);

        ((int)response.StatusCode).ShouldBeGreaterThanOrEqualTo(500);
        message.ShouldContain("points back at this anyclaude");
    }

    [Fact]
    public async Task An_incoming_request_carrying_this_proxys_hop_is_refused_and_one_from_another_proxy_is_served()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        using var own = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(ProxyHarness.SimpleBody(stream: false), System.Text.Encoding.UTF8, "application/json") };
        own.Headers.Add(HopHeader.Name, $"0123456789abcdef;backend=other, {HopHeader.ProcessId};backend=mlx-lm");
        using var refused = await proxy.Http.SendAsync(own);
        ((int)refused.StatusCode).ShouldBe(HopLoopMiddleware.LoopStatus);
        (await ErrorBodies.ReadAsync(refused)).Message.ShouldContain("backend 'mlx-lm'");

        proxy.Fake.Enqueue(ScriptedResponse.Text("served"));
        using var other = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(ProxyHarness.SimpleBody(stream: false), System.Text.Encoding.UTF8, "application/json") };
        other.Headers.Add(HopHeader.Name, "0123456789abcdef;backend=other");
        using var served = await proxy.Http.SendAsync(other);
        served.StatusCode.ShouldBe(HttpStatusCode.OK);
        // The hops it came through go on upstream, with this one added: a loop through several proxies is caught too.
        proxy.Fake.LastChatRequest.Header(HopHeader.Name).ShouldBe($"0123456789abcdef;backend=other, {HopHeader.ProcessId};backend=mlx-lm");
    }

    [Theory]
    [InlineData("pool", true, "anyclaude: backends.pool.urls[1]: http://localhost:8080/v1 is this proxy's own address")]
    [InlineData("other", false, "anyclaude: warning: backends.pool.urls[1]: http://localhost:8080/v1 is this proxy's own address")]
    public void The_start_up_check_looks_at_every_url_of_a_pool(string mode, bool stops, string line)
    {
        var first = new Uri("http://10.1.2.3:8080/v1");
        var options = new AnyClaudeOptions
        {
            Mode = mode,
            Host = "127.0.0.1",
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["pool"] = new() { Name = "pool", Kind = "openai", Url = first, Urls = [first, new Uri("http://localhost:8080/v1"), new Uri("http://localhost:8081/v1")] },
                ["other"] = new() { Name = "other", Kind = "openai", Url = new Uri("http://localhost:9999/v1") },
            },
        };
        var output = new StringWriter();

        SelfPointingBackends.Report(options, 8080, output).ShouldBe(stops);

        output.ToString().TrimEnd().Split('\n').ShouldHaveSingleItem().ShouldStartWith(line);
    }

    [Theory]
    [InlineData("http://localhost:8080/v1", "127.0.0.1", 8080, true)]
    [InlineData("http://127.0.0.1:8080/v1", "127.0.0.1", 8080, true)]
    [InlineData("http://[::1]:8080/v1", "0.0.0.0", 8080, true)]
    [InlineData("http://127.0.0.1:8080/v1", "0.0.0.0", 8080, true)]
    [InlineData("http://10.1.2.3:8080/v1", "10.1.2.3", 8080, true)]
    [InlineData("http://localhost:8081/v1", "127.0.0.1", 8080, false)]
    [InlineData("http://10.1.2.3:8080/v1", "127.0.0.1", 8080, false)]
    [InlineData("http://gpu-box.example:8080/v1", "127.0.0.1", 8080, false)]
    public void The_start_up_check_matches_the_same_port_on_a_local_address(string url, string listening, int port, bool expected) =>
        SelfPointingBackends.PointsAt(new Uri(url), IPAddress.Parse(listening), port).ShouldBe(expected);
}
