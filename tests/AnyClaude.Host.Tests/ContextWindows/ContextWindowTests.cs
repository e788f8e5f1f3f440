using System.Net;
using System.Text.Json;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static AnyClaude.Host.Tests.Backends.BackendKindKit;

namespace AnyClaude.Host.Tests.ContextWindows;

/// <summary>
/// Context windows through the real proxy against fakes that report them as their servers do: known before the first
/// request, prompts that cannot fit refused before any upstream call, <c>max_tokens</c> clamped to the room left, and
/// counts that say where they come from.
/// </summary>
public sealed class ContextWindowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>About 10,000 tokens of text by any count.</summary>
    private static readonly string LongText = string.Join(' ', Enumerable.Repeat("lorem", 8_000));

    [Fact]
    public async Task LM_Studio_is_asked_at_start_up_and_its_loaded_context_length_wins_over_the_models_maximum()
    {
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LmStudio, fakeOptions: new FakeServerOptions { ContextLength = 131072, LoadedContextLength = 8192 });

        // No request has been made: the start-up discovery asks on its own.
        await proxy.Fake.WaitUntilAsync(f => RequestsTo(f, "/api/v0/models").Count > 0, Wait, "the start-up discovery");
        var backend = proxy.App.Services.GetRequiredService<BackendRegistry>().Selected;
        await WaitForAsync(() => backend.Capabilities.ContextLength == 8192, "the loaded context length");

        using var response = await proxy.PostMessagesAsync(Body(stream: true, text: LongText));
        await ShouldBeTooLongAsync(response, maximum: 8192);
        proxy.Fake.ChatRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_prompt_over_llama_cpps_slot_context_never_reaches_it_and_the_figure_is_the_servers_count()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, fakeOptions: new FakeServerOptions { ContextLength = 4096 });
        string body = Body(stream: true, text: LongText);
        int counted = await CountTokensAsync(proxy, body);

        using var response = await proxy.PostMessagesAsync(body);

        string message = await ShouldBeTooLongAsync(response, maximum: 4096);
        message.ShouldBe($"prompt is too long: {counted} tokens > 4096 maximum");
        Header(response, RouteHeaders.TokenCountSource).ShouldBe("server");
        Header(response, RouteHeaders.PromptTokens).ShouldBe(counted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        proxy.Fake.ChatRequests.ShouldBeEmpty("nothing is sent upstream for a prompt that cannot fit");
        RequestsTo(proxy.Fake, "/tokenize").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Max_tokens_is_clamped_to_the_room_vllm_has_left()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: new FakeServerOptions { Models = ["m"], ContextLength = 8192 });
        string body = Body(stream: false, text: LongText[..20_000], maxTokens: 64000);
        int counted = await CountTokensAsync(proxy, body);
        counted.ShouldBeInRange(1000, 8192 - 1000);
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"), ScriptedResponse.Text("ok"));

        using var clamped = await proxy.PostMessagesAsync(body);
        clamped.StatusCode.ShouldBe(HttpStatusCode.OK, await clamped.Content.ReadAsStringAsync());
        using var small = await proxy.PostMessagesAsync(Body(stream: false, text: LongText[..20_000], maxTokens: 700));
        small.StatusCode.ShouldBe(HttpStatusCode.OK, await small.Content.ReadAsStringAsync());

        var chats = proxy.Fake.ChatRequests;
        chats.Count.ShouldBe(2, "each went once: the server never had to refuse");
        using var first = chats[0].Json();
        first.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(8192 - counted);
        using var second = chats[1].Json();
        second.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(700, "an answer budget that fits is left alone");
        Header(clamped, RouteHeaders.TokenCountSource).ShouldBe("server");
    }

    [Theory]
    [InlineData(600, 600)] // room for 600: the answer gets exactly that
    [InlineData(512, 512)] // exactly the floor: still sent
    public async Task At_the_edge_the_answer_gets_what_is_left(int room, int expectedMaxTokens)
    {
        int counted = await CountWithVllmAsync();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.Vllm, fakeOptions: new FakeServerOptions { Models = ["m"] }, configureBackend: b => b with { ContextLength = counted + room });
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));

        await PostOkAsync(proxy, EdgeBody);

        using var sent = proxy.Fake.LastChatRequest.Json();
        sent.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(expectedMaxTokens);
    }

    [Theory]
    [InlineData(511, "{0} tokens > {1} maximum")] // fits, but leaves less than the floor: the largest prompt is the window less the floor
    [InlineData(0, "{0} tokens > {1} maximum")]
    [InlineData(-1, "{0} tokens > {1} maximum")] // over the window itself
    public async Task Past_the_edge_nothing_is_sent(int room, string expected)
    {
        int counted = await CountWithVllmAsync();
        int window = counted + room;
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.Vllm, fakeOptions: new FakeServerOptions { Models = ["m"] }, configureBackend: b => b with { ContextLength = window });

        using var response = await proxy.PostMessagesAsync(EdgeBody);

        int maximum = counted > window ? window : window - 512;
        string message = await ShouldBeTooLongAsync(response, maximum);
        message.ShouldBe("prompt is too long: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, counted, maximum));
        proxy.Fake.ChatRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_prompt_far_from_the_edge_is_not_counted_before_it_is_sent()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: new FakeServerOptions { Models = ["m"], ContextLength = 131072 });
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));

        using var response = await proxy.PostMessagesAsync(Body(stream: false, maxTokens: 1000));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        RequestsTo(proxy.Fake, "/tokenize").ShouldBeEmpty();
        Header(response, RouteHeaders.TokenCountSource).ShouldBeNull();
        using var sent = proxy.Fake.LastChatRequest.Json();
        sent.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(1000);
    }

    [Fact]
    public async Task Mlx_lm_takes_its_window_from_the_local_model_folders_config()
    {
        string folder = Directory.CreateTempSubdirectory("anyclaude-mlx-model-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "config.json"), """{"model_type": "qwen3_vl", "text_config": {"max_position_embeddings": 40960}}""");
            await using var proxy = await ProxyHarness.StartAsync(
                ServerFlavor.MlxLm, fakeOptions: new FakeServerOptions { Models = [folder] }, configureBackend: b => b with { Model = folder });

            (await DiscoverAsync(proxy)).ContextLength.ShouldBe(40960);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Where_the_server_cannot_count_the_estimate_is_calibrated_by_the_usage_it_reported()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, configureBackend: b => b with { ContextLength = 32768 });
        string notes = LongText[..10_000];
        string body = SessionBody("sess-1", notes);

        using var before = await proxy.PostMessagesAsync(body, "/v1/messages/count_tokens");
        before.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(before, RouteHeaders.TokenCountSource).ShouldBe("estimate");
        int estimate = await InputTokensAsync(before);

        // The server says the turn's prompt was 3,000 tokens (2,000 of them from its cache), more than the estimate.
        proxy.Fake.Enqueue(ScriptedResponse.Text("Done.").WithUsage(3000, 5, 2000));
        await PostOkAsync(proxy, body);

        using var after = await proxy.PostMessagesAsync(body, "/v1/messages/count_tokens");
        Header(after, RouteHeaders.TokenCountSource).ShouldBe("calibrated-estimate");
        (await InputTokensAsync(after)).ShouldBe(3000);
        estimate.ShouldBeLessThan(3000);

        // Another conversation is not calibrated by this one's turns.
        using var other = await proxy.PostMessagesAsync(SessionBody("sess-2", notes), "/v1/messages/count_tokens");
        Header(other, RouteHeaders.TokenCountSource).ShouldBe("estimate");
    }

    private const string EdgeText = "Count me in, then answer briefly.";

    private static string EdgeBody => Body(stream: false, text: string.Join(' ', Enumerable.Repeat(EdgeText, 200)), maxTokens: 64000);

    private static async Task<int> CountWithVllmAsync()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.Vllm, fakeOptions: new FakeServerOptions { Models = ["m"] });
        return await CountTokensAsync(proxy, EdgeBody);
    }

    private static string SessionBody(string session, string text) =>
        $$"""
        {"model": "claude-sonnet-4-5", "max_tokens": 2048, "stream": false,
         "metadata": {"user_id": "{\"session_id\":\"{{session}}\"}"},
         "system": [{"type": "text", "text": "You are a helpful assistant."}],
         "messages": [{"role": "user", "content": "{{text}}"}]}
        """;

    private static async Task<string> ShouldBeTooLongAsync(HttpResponseMessage response, int maximum)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("invalid_request_error");
        message.ShouldStartWith("prompt is too long: ");
        message.ShouldEndWith($" tokens > {maximum} maximum");
        return message;
    }

    private static async Task<int> InputTokensAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("input_tokens").GetInt32();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} was not reached within {Wait}");
            }

            await Task.Delay(20);
        }
    }
}
