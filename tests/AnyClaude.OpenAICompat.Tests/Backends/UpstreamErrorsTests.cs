using System.Net.Sockets;
using System.Net;
using AnyClaude.Abstractions.Errors;
using AnyClaude.OpenAICompat.Backends;

namespace AnyClaude.OpenAICompat.Tests.Backends;

public sealed class UpstreamErrorsTests
{
    [Theory]
    [InlineData("""{"error":"Only 'text' content type is supported."}""", "Only 'text' content type is supported.")]
    [InlineData("""{"error":{"message":"Model 'qwen' not found","type":"invalid_request_error","code":"model_not_found"}}""", "Model 'qwen' not found")]
    [InlineData("""{"message":"Rate limit reached"}""", "Rate limit reached")]
    [InlineData("""{"detail":"Not Found"}""", "Not Found")]
    [InlineData("Internal Server Error\n", "Internal Server Error")]
    [InlineData("", "(empty body)")]
    public void ExtractMessage_reads_each_server_error_shape(string body, string expected)
    {
        UpstreamErrors.ExtractMessage(body).ShouldBe(expected);
    }

    [Fact]
    public void ExtractMessage_cuts_very_long_plain_text()
    {
        string message = UpstreamErrors.ExtractMessage(new string('x', 5000));

        message.Length.ShouldBeLessThan(2100);
        message.ShouldStartWith("xxxx");
    }

    [Theory]
    [InlineData(400, 400, AnthropicErrorTypes.InvalidRequest, false)]
    [InlineData(422, 400, AnthropicErrorTypes.InvalidRequest, false)]
    [InlineData(401, 502, AnthropicErrorTypes.Api, false)]
    [InlineData(403, 502, AnthropicErrorTypes.Api, false)]
    [InlineData(404, 502, AnthropicErrorTypes.Api, false)]
    [InlineData(429, 429, AnthropicErrorTypes.RateLimit, true)]
    [InlineData(500, 500, AnthropicErrorTypes.Api, true)]
    [InlineData(503, 529, AnthropicErrorTypes.Overloaded, true)]
    public void Status_codes_map_to_anthropic_errors(int upstream, int status, string type, bool retry)
    {
        var exception = UpstreamErrors.FromStatus("mlx-lm", upstream, """{"error":"something went wrong"}""");

        exception.StatusCode.ShouldBe(status);
        exception.ErrorType.ShouldBe(type);
        exception.ShouldRetry.ShouldBe(retry);
        exception.Message.ShouldContain("something went wrong");
        exception.Message.ShouldContain("mlx-lm");
    }

    [Theory]
    [InlineData(400, """{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error","n_prompt_tokens":40312,"n_ctx":32768}}""")]
    [InlineData(400, """{"error":"The number of tokens to keep from the initial prompt is greater than the context length. Try to load the model with a larger context length, or provide a shorter input"}""")]
    [InlineData(404, """{"error":"Prompt exceeds max prompt token limit"}""")]
    [InlineData(400, """{"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 40000 tokens (38000 in the messages, 2000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}""")]
    public void Context_overflow_becomes_prompt_is_too_long(int status, string body)
    {
        var exception = UpstreamErrors.FromStatus("local", status, body);

        exception.StatusCode.ShouldBe(400);
        exception.ErrorType.ShouldBe(AnthropicErrorTypes.InvalidRequest);
        exception.Message.ShouldStartWith("prompt is too long:");
        exception.ShouldRetry.ShouldBeFalse();
    }

    [Fact]
    public void Ordinary_bad_request_is_not_a_context_overflow()
    {
        var exception = UpstreamErrors.FromStatus("lmstudio", 400, """{"error":"'messages' must be a non-empty array"}""");

        exception.Message.ShouldNotStartWith("prompt is too long");
        exception.Message.ShouldContain("'messages' must be a non-empty array");
    }

    [Fact]
    public async Task Unreachable_for_a_refused_connection_names_the_backend_url_and_hint()
    {
        // A port that was just free: connecting to it is refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = new Uri($"http://127.0.0.1:{port}/v1");

        using var client = new HttpClient();
        var failure = await Should.ThrowAsync<HttpRequestException>(() => client.GetAsync(new Uri(url, "v1/models")));

        var exception = UpstreamErrors.Unreachable("mlx-lm", url, "is `mlx_lm.server` running?", failure);

        exception.StatusCode.ShouldBe(502);
        exception.ShouldRetry.ShouldBeFalse();
        exception.ErrorType.ShouldBe(AnthropicErrorTypes.Api);
        exception.Message.ShouldBe($"backend 'mlx-lm' at http://127.0.0.1:{port}/v1 refused the connection: is `mlx_lm.server` running?");
        exception.InnerException.ShouldBeSameAs(failure);
    }

    [Fact]
    public void Unreachable_for_a_timeout_says_so()
    {
        var exception = UpstreamErrors.Unreachable("lmstudio", new Uri("http://localhost:1234/v1"), "start LM Studio's server", new TaskCanceledException("timed out"));

        exception.Message.ShouldBe("backend 'lmstudio' at http://localhost:1234/v1 did not accept the connection in time: start LM Studio's server");
        exception.StatusCode.ShouldBe(502);
    }

    [Theory]
    [InlineData("http://localhost:8081", "http://localhost:8081/v1")]
    [InlineData("http://localhost:8081/", "http://localhost:8081/v1")]
    [InlineData("http://gpu:9000/api", "http://gpu:9000/api/v1")]
    [InlineData("http://localhost:8081/v1", null)]
    [InlineData("http://localhost:8081/V1/", null)]
    [InlineData("http://host/openai/v1", null)]
    public void A_404_suggests_v1_only_when_the_url_has_none(string url, string? suggestion)
    {
        var error = UpstreamErrors.FromStatus("b", 404, "<html>Not Found</html>", new Uri(url));

        if (suggestion is null)
        {
            error.Message.ShouldNotContain("did you mean");
        }
        else
        {
            error.Message.ShouldContain($"did you mean {suggestion}?");
        }

        error.StatusCode.ShouldBe(502);
    }

    [Theory]
    [InlineData("'max_tokens' or 'max_completion_tokens' is too large: 16384. This model's maximum context length is 32768 tokens and your request has 20000 input tokens (16384 > 32768 - 20000). None", 12768)]
    [InlineData("'max_tokens' or 'max_completion_tokens' is too large: 32000. This model's maximum context length is 100001 tokens and your request has 81126 input tokens (32000 > 100001 - 81126). (parameter=max_tokens, value=32000)", 18875)]
    public void The_room_left_for_the_answer_is_read_from_vllms_refusal(string message, int room)
    {
        UpstreamErrors.RoomForOutput(message).ShouldBe(room);
    }

    [Theory]
    [InlineData("This model's maximum context length is 32768 tokens. However, your request has 40000 input tokens. Please reduce the length of the input messages.")]
    [InlineData("'max_tokens' or 'max_completion_tokens' is too large: 100. This model's maximum context length is 4096 tokens and your request has 4096 input tokens (100 > 4096 - 4096).")]
    [InlineData("something else entirely")]
    public void No_room_is_read_where_the_prompt_alone_does_not_fit_or_the_message_is_another(string message)
    {
        UpstreamErrors.RoomForOutput(message).ShouldBeNull();
    }
}
