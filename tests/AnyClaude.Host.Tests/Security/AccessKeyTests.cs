using System.Net;
using System.Text;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Security;
using AnyClaude.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Tests.Security;

/// <summary>With an access key configured, every request but the preconnect and liveness must carry it.</summary>
public sealed class AccessKeyTests
{
    private const string Key = "proxy-access-key-0123456789";

    // No background health checks (healthCheckSeconds 0): whatever the fake receives was forwarded by the proxy.
    private static Task<ProxyHarness> StartAsync(string host = "127.0.0.1", Action<WebApplication>? configureApp = null) =>
        ProxyHarness.StartAsync(ServerFlavor.MlxLm, configure: o => o with { ApiKey = Key, Host = host, HealthCheckInterval = TimeSpan.Zero }, configureApp: configureApp);

    private static HttpRequestMessage Request(HttpMethod method, string path, string? apiKey = null, string? bearer = null, string? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", bearer);
        }

        return request;
    }

    public static TheoryData<string, string?, string?> Refused => new()
    {
        { "no credentials", null, null },
        { "wrong x-api-key", "wrong", null },
        { "key with a suffix", Key + "x", null },
        { "key prefix only", Key[..^1], null },
        { "empty key", "", null },
        { "wrong bearer", null, "Bearer nope" },
        { "right key without Bearer", null, Key },
        { "basic auth", null, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:" + Key)) },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Requests_without_the_right_key_are_401_authentication_error_on_every_endpoint(string what, string? apiKey, string? bearer)
    {
        await using var proxy = await StartAsync();
        foreach (var (method, path) in ((HttpMethod, string)[])[
            (HttpMethod.Post, "/v1/messages"), (HttpMethod.Post, "/v1/messages/count_tokens"), (HttpMethod.Get, "/v1/models"),
            (HttpMethod.Get, "/health/ready"), (HttpMethod.Get, "/nowhere")])
        {
            using var request = Request(method, path, apiKey, bearer, method == HttpMethod.Post ? ProxyHarness.SimpleBody(stream: true) : null);
            using var response = await proxy.Http.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{what}: {method} {path}");
            var (type, message) = await ErrorBodies.ReadAsync(response);
            type.ShouldBe("authentication_error");
            message.ShouldContain("x-api-key");
        }

        proxy.Fake.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_right_key_as_x_api_key_or_bearer_token_is_served()
    {
        await using var proxy = await StartAsync();
        using (var request = Request(HttpMethod.Post, "/v1/messages", apiKey: Key, body: ProxyHarness.SimpleBody(stream: true)))
        using (var response = await proxy.Http.SendAsync(request))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).ShouldContain("message_stop");
        }

        using (var request = Request(HttpMethod.Post, "/v1/messages/count_tokens", bearer: "Bearer " + Key, body: ProxyHarness.SimpleBody(stream: false)))
        using (var response = await proxy.Http.SendAsync(request))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // Claude Code's own client (the official SDK) with the key.
        using var client = new Anthropic.AnthropicClient(new Anthropic.Core.ClientOptions { BaseUrl = proxy.BaseUrl.AbsoluteUri.TrimEnd('/'), ApiKey = Key, MaxRetries = 0 });
        var message = await client.Messages.Create(new Anthropic.Models.Messages.MessageCreateParams
        {
            Model = "claude-sonnet-4-5",
            MaxTokens = 50,
            Messages = [new Anthropic.Models.Messages.UserMessageParam("Hi")],
        });
        message.Content.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task The_preconnect_and_liveness_stay_open()
    {
        await using var proxy = await StartAsync();
        using (var head = await proxy.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/")))
        {
            head.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var live = await proxy.Http.GetAsync("/health/live");
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await live.Content.ReadAsStringAsync()).ShouldNotContain(proxy.Fake.BaseUrl.ToString());
    }

    [Fact]
    public async Task Admin_endpoints_answer_only_on_loopback_even_with_the_key()
    {
        int calls = 0;
        await using var proxy = await StartAsync(host: "0.0.0.0", configureApp: app => AnyClaude.Host.Security.AdminGroup.Map(app).MapPost("/probe", () =>
        {
            Interlocked.Increment(ref calls);
            return "changed";
        }));

        using (var request = Request(HttpMethod.Post, "/admin/probe", apiKey: Key))
        using (var response = await proxy.Http.SendAsync(request))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        calls.ShouldBe(1);

        // Callers from other machines are refused by the filter: proven on the middleware itself below, since this
        // test machine may send traffic to loopback addresses only.
        var endpoint = proxy.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Single(e => e is RouteEndpoint route && route.RoutePattern.RawText?.EndsWith("/probe", StringComparison.Ordinal) == true);
        endpoint.Metadata.GetMetadata<LoopbackOnlyAttribute>().ShouldNotBeNull();
    }

    [Theory]
    [InlineData("10.1.2.3", true, 403)]
    [InlineData("192.168.0.7", true, 403)]
    [InlineData("fe80::1", true, 403)]
    [InlineData("127.0.0.1", true, 200)]
    [InlineData("::1", true, 200)]
    [InlineData("::ffff:127.0.0.1", true, 200)]
    [InlineData("10.1.2.3", false, 200)]
    public async Task The_loopback_only_filter_refuses_other_machines(string remote, bool loopbackOnly, int expected)
    {
        bool called = false;
        var middleware = new LoopbackOnlyMiddleware(_ =>
        {
            called = true;
            return Task.CompletedTask;
        });
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Request.Path = "/admin/x";
        context.Response.Body = new MemoryStream();
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, loopbackOnly ? new EndpointMetadataCollection(new LoopbackOnlyAttribute()) : EndpointMetadataCollection.Empty, "test"));

        await middleware.InvokeAsync(context);

        called.ShouldBe(expected == 200);
        context.Response.StatusCode.ShouldBe(expected);
    }
}
