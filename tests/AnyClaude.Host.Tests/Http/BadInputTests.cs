using System.Net;
using System.Text;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Http;

/// <summary>Bad Messages bodies: a 400 naming the field (or a 413), nothing sent upstream, and the proxy keeps serving.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "malformed JSON", """{"model": "m", "messages": [}""", "JSON" },
        { "truncated JSON", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}""", "JSON" },
        { "model is a number", """{"model": 42, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}""", "model" },
        { "model missing", """{"max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}""", "model" },
        { "messages missing", """{"model": "m", "max_tokens": 10}""", "messages" },
        { "messages empty", """{"model": "m", "max_tokens": 10, "messages": []}""", "messages" },
        { "content is a number", """{"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": 5}]}""", "messages.0.content" },
        { "role invalid", """{"model": "m", "max_tokens": 10, "messages": [{"role": "robot", "content": "hi"}]}""", "messages.0.role" },
        { "max_tokens zero", """{"model": "m", "max_tokens": 0, "messages": [{"role": "user", "content": "hi"}]}""", "max_tokens" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_a_400_naming_the_field(string what, string body, string field)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);

        using var response = await proxy.PostMessagesAsync(body);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, what);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain(field, Case.Sensitive, $"{what}: {message}");
        proxy.Fake.ChatRequests.ShouldBeEmpty();

        await proxy.AssertStillServingAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_the_limit_is_a_413_request_too_large(bool chunked)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, configure: o => o with { MaxRequestBodyBytes = 8 * 1024 });
        string body = ProxyHarness.SimpleBody(stream: false, text: new string('x', 32 * 1024));
        // ChunkedContent has no known length, so HttpClient sends it with Transfer-Encoding: chunked.
        HttpContent content = chunked
            ? new ChunkedContent(Encoding.UTF8.GetBytes(body))
            : new StringContent(body, Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = content,
        };
        using var response = await proxy.Http.SendAsync(request);
        request.Headers.TransferEncodingChunked.ShouldBe(chunked ? true : null);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("request_too_large");
        message.ShouldContain("maxRequestBodyBytes");
        proxy.Fake.ChatRequests.ShouldBeEmpty();

        await proxy.AssertStillServingAsync();
    }

    /// <summary>A body of unknown length, so it goes out chunked.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (int offset = 0; offset < bytes.Length; offset += 4096)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(4096, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
