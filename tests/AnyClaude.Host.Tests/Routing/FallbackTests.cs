using System.Net;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>Fallback before the first event, with back-off, over real servers.</summary>
public sealed class FallbackTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_backend_that_refuses_the_connection_is_skipped_for_its_fallback(bool stream)
    {
        await using var proxy = await MultiBackendProxy.StartAsync(
            "primary", ["spare"],
            urls: new Dictionary<string, Uri> { ["primary"] = new($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1") },
            routing: MultiBackendProxy.Fallbacks("primary", "spare"));

        using var response = await proxy.PostAsync(MultiBackendProxy.Simple(stream: stream));
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        MultiBackendProxy.TextOf(body).ShouldContain("answer from spare");
        MultiBackendProxy.BackendOf(response).ShouldBe("spare");
    }

    [Fact]
    public async Task A_5xx_before_the_first_event_falls_back_with_the_clients_original_request()
    {
        var logs = new CapturedLogs();
        await using var proxy = await MultiBackendProxy.StartAsync("primary", ["primary", "spare"], routing: MultiBackendProxy.Fallbacks("primary", "spare"), logging: logs.Configure);
        proxy["primary"].RespondWith(_ => ScriptedResponse.ServerError(500, "model crashed"));

        var body = RequestBodies.Turn(stream: true);
        using var response = await proxy.PostAsync(body);
        string events = await response.Content.ReadAsStringAsync();
        MultiBackendProxy.TextOf(events).ShouldContain("answer from spare");
        MultiBackendProxy.BackendOf(response).ShouldBe("spare");
        proxy["primary"].ChatRequests.Count.ShouldBe(1);
        // Both backends were sent the same rendering: the retry started again from the client's bytes, not from the
        // request the first attempt's transforms had already changed.
        string first = proxy["primary"].LastChatRequest.BodyText.Replace("primary-model-a", "MODEL");
        string second = proxy["spare"].LastChatRequest.BodyText.Replace("spare-model-a", "MODEL");
        second.ShouldBe(first);
        logs.Entries.ShouldContain(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains("backend 'primary' failed before its first event") && e.Message.Contains("model crashed") && e.Message.Contains("falling back to 'spare'"));
    }

    [Fact]
    public async Task A_backend_that_does_not_accept_the_connection_in_time_falls_back()
    {
        using var stalled = new StalledListener();
        stalled.Stalls().ShouldBeTrue("the stalled listener must make a connect hang (the kernel drops SYNs on a full listen queue)");
        await using var proxy = await MultiBackendProxy.StartAsync(
            "primary", ["spare"],
            urls: new Dictionary<string, Uri> { ["primary"] = stalled.Url },
            routing: MultiBackendProxy.Fallbacks("primary", "spare"),
            configure: o => o with { ConnectTimeout = TimeSpan.FromMilliseconds(500) });

        using var response = await proxy.PostAsync(MultiBackendProxy.Simple());
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("answer from spare");
    }

    [Fact]
    public async Task A_failed_backend_is_skipped_during_its_back_off_instead_of_tried_on_every_request()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("primary", ["primary", "spare"], routing: MultiBackendProxy.Fallbacks("primary", "spare"));
        proxy["primary"].RespondWith(_ => ScriptedResponse.ServerError(503, "loading model"));

        for (int i = 0; i < 3; i++)
        {
            using var response = await proxy.PostAsync(MultiBackendProxy.Simple());
            MultiBackendProxy.BackendOf(response).ShouldBe("spare");
        }

        proxy["primary"].ChatRequests.Count.ShouldBe(1);
        proxy["spare"].ChatRequests.Count.ShouldBe(3);
        using var status = await proxy.Http.GetAsync("/admin/status");
        string text = await status.Content.ReadAsStringAsync();
        text.ShouldContain("\"retryAt\"");
        text.ShouldContain("loading model");
    }

    [Fact]
    public async Task When_every_backend_fails_the_client_gets_the_last_error()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("primary", ["primary", "spare"], routing: MultiBackendProxy.Fallbacks("primary", "spare"));
        proxy["primary"].RespondWith(_ => ScriptedResponse.ServerError(500, "primary broke"));
        proxy["spare"].RespondWith(_ => ScriptedResponse.ServerError(500, "spare broke"));

        using var response = await proxy.PostAsync(MultiBackendProxy.Simple());
        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        var (_, message) = await ErrorBodies.ReadAsync(response);
        message.ShouldContain("spare broke");
        MultiBackendProxy.BackendOf(response).ShouldBe("spare");
    }

    [Fact]
    public async Task A_4xx_answer_is_not_retried_elsewhere()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("primary", ["primary", "spare"], routing: MultiBackendProxy.Fallbacks("primary", "spare"));
        proxy["primary"].RespondWith(_ => ScriptedResponse.ServerError(400, "bad request"));

        using var response = await proxy.PostAsync(MultiBackendProxy.Simple());
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        proxy["spare"].ChatRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task After_message_start_an_error_stays_in_the_stream()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("primary", ["primary", "spare"], routing: MultiBackendProxy.Fallbacks("primary", "spare"));
        proxy["primary"].RespondWith(_ => ScriptedResponse.Text("a long answer that breaks half way").BreakAfterChunks(2));

        using var response = await proxy.PostAsync(MultiBackendProxy.Simple(stream: true));
        string events = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        events.ShouldContain("event: error");
        MultiBackendProxy.BackendOf(response).ShouldBe("primary");
        proxy["spare"].ChatRequests.ShouldBeEmpty();
    }
}
