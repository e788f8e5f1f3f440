using System.Net;
using System.Net.Sockets;
using System.Text;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.TestSupport;
using AnyClaude.TestSupport.NativeServers;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Abstractions.Tests.Backends;

public sealed class UpstreamHttpTests : IDisposable
{
    private const string StartHint = "start it with `native serve`, or set NATIVE_URL";
    private const string ApiKey = "sk-native-secret";

    private readonly HttpClient _httpClient = new();

    public void Dispose() => _httpClient.Dispose();

    private UpstreamHttp Upstream(Uri url, string? apiKey = ApiKey, bool anthropic = true) =>
        new(new BackendSettings { Name = "native", Kind = "native", Url = url, ApiKey = apiKey }, _httpClient, StartHint)
        {
            Headers = anthropic ? new Dictionary<string, string> { ["anthropic-version"] = "2023-06-01" } : new Dictionary<string, string>(),
            SendsApiKeyAsXApiKey = anthropic,
            StreamingAccept = anthropic ? "text/event-stream" : null,
        };

    [Fact]
    public async Task A_streamed_post_sends_the_json_body_whole_with_the_key_and_the_fixed_headers_and_reads_the_events_as_they_come()
    {
        await using var server = await LoopbackFakeHost.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("event: message_start\ndata: {\"n\":1}\n\n");
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync(": keep-alive\n\nevent: message_stop\ndata: {\"n\":2}\n\n");
        });
        var upstream = Upstream(server.RootUrl);
        byte[] body = Encoding.UTF8.GetBytes("""{"model":"m","stream":true}""");

        using var response = await upstream.PostStreamingAsync("v1/messages", body, CancellationToken.None);
        var events = new List<string>();
        await foreach (var item in upstream.ReadEventsAsync(response, (type, data) => $"{type}={Encoding.UTF8.GetString(data)}", CancellationToken.None))
        {
            events.Add(item.Data);
        }

        events.ShouldBe(["message_start={\"n\":1}", "message_stop={\"n\":2}"]);
        var request = server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/v1/messages");
        request.Body.ShouldBe(body);
        request.HadContentLength.ShouldBeTrue();
        request.WasChunked.ShouldBeFalse();
        request.Header("Content-Type").ShouldBe("application/json");
        request.Header("Accept").ShouldBe("text/event-stream");
        request.Header("Authorization").ShouldBe($"Bearer {ApiKey}");
        request.Header("x-api-key").ShouldBe(ApiKey);
        request.Header("anthropic-version").ShouldBe("2023-06-01");
    }

    [Fact]
    public async Task Without_a_key_nothing_is_sent_in_its_place_and_a_server_of_its_own_api_gets_only_what_it_asked_for()
    {
        await using var server = await LoopbackFakeHost.StartAsync((context, _) => context.Response.WriteAsync("{}"));
        var upstream = Upstream(server.RootUrl, apiKey: null, anthropic: false);

        using var response = await upstream.PostStreamingAsync("api/chat", "{}"u8.ToArray(), CancellationToken.None);
        using var get = await upstream.GetAsync("api/tags", CancellationToken.None);

        server.Requests.Select(r => $"{r.Method} {r.Path}").ShouldBe(["POST /api/chat", "GET /api/tags"]);
        foreach (var request in server.Requests)
        {
            request.Header("Authorization").ShouldBeNull();
            request.Header("x-api-key").ShouldBeNull();
            request.Header("anthropic-version").ShouldBeNull();
            request.Header("Accept").ShouldBeNull();
        }
    }

    [Fact]
    public async Task An_error_answer_goes_to_the_backends_mapping_with_its_status_and_its_body_capped_and_the_key_taken_out()
    {
        string echoed = $$$"""{"error":{"type":"authentication_error","message":"invalid key {{{ApiKey}}}"}}""" + new string(' ', 100_000);
        await using var server = await LoopbackFakeHost.StartAsync((context, _) =>
        {
            context.Response.StatusCode = 401;
            return context.Response.WriteAsync(echoed);
        });
        var upstream = Upstream(server.RootUrl);
        (int Status, string Body)? mapped = null;

        using var response = await upstream.PostStreamingAsync("v1/messages", "{}"u8.ToArray(), CancellationToken.None);
        var exception = await Should.ThrowAsync<AnthropicException>(() => upstream.ThrowIfFailedAsync(
            response,
            (status, body) =>
            {
                mapped = (status, body);
                return new AnthropicException(AnthropicErrorTypes.Api, "mapped by the backend", 502);
            },
            CancellationToken.None));

        exception.Message.ShouldBe("mapped by the backend");
        mapped.ShouldNotBeNull();
        mapped.Value.Status.ShouldBe(401);
        mapped.Value.Body.ShouldStartWith("""{"error":{"type":"authentication_error","message":"invalid key [redacted]"}}""");
        mapped.Value.Body.ShouldNotContain(ApiKey);
        // 64K characters read, then the key replaced by the shorter "[redacted]".
        mapped.Value.Body.Length.ShouldBe((64 * 1024) - ApiKey.Length + "[redacted]".Length);
    }

    [Fact]
    public async Task A_successful_answer_is_read_whole_however_long()
    {
        string models = """{"data":[""" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $$"""{"id":"model-{{i}}"}""")) + "]}";
        await using var server = await LoopbackFakeHost.StartAsync((context, _) => context.Response.WriteAsync(models));
        var upstream = Upstream(server.RootUrl);

        using var response = await upstream.GetAsync("v1/models", CancellationToken.None);
        string text = await upstream.ReadAnswerAsync(response, (_, _) => throw new InvalidOperationException("not an error"), CancellationToken.None);

        text.Length.ShouldBeGreaterThan(64 * 1024);
        text.ShouldBe(models);
    }

    [Fact]
    public async Task A_server_that_is_not_listening_is_an_error_naming_the_backend_its_url_and_what_to_start()
    {
        var url = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        var upstream = Upstream(url);

        var exception = await Should.ThrowAsync<AnthropicException>(() => upstream.GetAsync("v1/models", CancellationToken.None));

        exception.Message.ShouldBe($"backend 'native' at {url} refused the connection: {StartHint}");
        exception.StatusCode.ShouldBe(502);
        exception.ShouldRetry.ShouldBeFalse();
    }

    [Fact]
    public async Task The_callers_cancellation_ends_the_request_as_a_cancellation_not_as_an_unreachable_server()
    {
        var answered = new TaskCompletionSource();
        await using var server = await LoopbackFakeHost.StartAsync(async (context, _) =>
        {
            answered.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        var upstream = Upstream(server.RootUrl);
        using var cancellation = new CancellationTokenSource();

        var sending = upstream.PostStreamingAsync("v1/messages", "{}"u8.ToArray(), cancellation.Token);
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();
        var exception = await Record.ExceptionAsync(() => sending);

        exception.ShouldBeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task A_connection_that_breaks_mid_stream_is_an_error_naming_the_backend_and_its_url_after_the_events_that_came()
    {
        await using var server = await LoopbackFakeHost.StartAsync(BreakAfterOneEventAsync("data: {\"n\":1}\n\n"));
        var upstream = Upstream(server.RootUrl);
        var events = new List<string>();

        using var response = await upstream.PostStreamingAsync("v1/messages", "{}"u8.ToArray(), CancellationToken.None);
        var exception = await Should.ThrowAsync<AnthropicException>(async () =>
        {
            await foreach (var item in upstream.ReadEventsAsync(response, (_, data) => Encoding.UTF8.GetString(data), CancellationToken.None))
            {
                events.Add(item.Data);
            }
        });

        events.ShouldBe(["{\"n\":1}"]);
        exception.Message.ShouldStartWith($"the connection to backend 'native' at {server.RootUrl} broke mid-stream: ");
        exception.Message.ShouldEndWith("(did the server stop or crash?)");
    }

    [Fact]
    public async Task Ndjson_lines_come_as_they_arrive_without_the_blank_ones_and_a_break_is_the_same_error()
    {
        await using var server = await LoopbackFakeHost.StartAsync(BreakAfterOneEventAsync("{\"n\":1}\n\n  \n{\"n\":2}\n"));
        var upstream = Upstream(server.RootUrl, anthropic: false);
        var lines = new List<string>();

        using var response = await upstream.PostStreamingAsync("api/chat", "{}"u8.ToArray(), CancellationToken.None);
        var exception = await Should.ThrowAsync<AnthropicException>(async () =>
        {
            await foreach (string line in upstream.ReadLinesAsync(response, CancellationToken.None))
            {
                lines.Add(line);
            }
        });

        lines.ShouldBe(["{\"n\":1}", "{\"n\":2}"]);
        exception.Message.ShouldStartWith($"the connection to backend 'native' at {server.RootUrl} broke mid-stream: ");
    }

    private static Func<HttpContext, RecordedRequest, Task> BreakAfterOneEventAsync(string written) => async (context, _) =>
    {
        await context.Response.WriteAsync(written);
        await context.Response.Body.FlushAsync();
        await Task.Delay(100);
        context.Abort();
    };

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
