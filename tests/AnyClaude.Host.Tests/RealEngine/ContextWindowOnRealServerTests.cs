using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// The window anyclaude works with is the real server's window for one request: <c>-c 65536 --parallel 2</c> gives each
/// slot 32,768 tokens (<c>/props</c> <c>default_generation_settings.n_ctx</c>), not the model file's 131,072
/// (<c>meta.n_ctx_train</c>) nor the whole 65,536.
/// </summary>
[Collection(RealEngineCollection.Name)]
public sealed class ContextWindowOnRealServerTests(ITestOutputHelper output)
{
    private const int PerSlot = 32768;

    [Theory]
    [InlineData(EngineKind.LlamaCpp)]
    [InlineData(EngineKind.Anthropic)]
    public async Task The_window_the_proxy_reports_is_the_servers_window_per_slot(EngineKind kind)
    {
        await using var proxy = await RealEngineProxy.StartAsync(kind);
        using var props = await proxy.Server.PropsAsync();
        int serverWindow = props.RootElement.GetProperty("default_generation_settings").GetProperty("n_ctx").GetInt32();
        serverWindow.ShouldBe(PerSlot);

        var capabilities = await proxy.Backend.DiscoverCapabilitiesAsync(CancellationToken.None);
        using var status = await proxy.StatusAsync();
        var entry = status.RootElement.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("name").GetString() == proxy.BackendName);
        output.WriteLine($"{kind}: /props n_ctx {serverWindow}, backend reports {capabilities.ContextLength}, status shows {entry.GetProperty("contextLength")}");

        capabilities.ContextLength.ShouldBe(serverWindow);
        entry.GetProperty("contextLength").GetInt32().ShouldBe(serverWindow);
    }

    [Theory]
    [InlineData(EngineKind.LlamaCpp)]
    [InlineData(EngineKind.Anthropic)]
    public async Task A_prompt_over_the_slots_window_is_refused_before_any_prefill_naming_the_servers_window(EngineKind kind)
    {
        await using var proxy = await RealEngineProxy.StartAsync(kind);
        string body = new ClaudeCodeConversation($"Read this:\n{ProjectNotes.Text(seed: 4, sentences: 2600)}").Body();

        using var response = await proxy.PostAsync(body);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        output.WriteLine($"{kind}: {(int)response.StatusCode} {message}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        type.ShouldBe("invalid_request_error");
        message.ShouldStartWith("prompt is too long: ");
        message.ShouldEndWith($" > {PerSlot} maximum");
        proxy.Tap.To(RealEngineProxy.AnswerPath(kind)).ShouldBeEmpty("refused before the prompt went to the server");
    }

    [Fact]
    public async Task The_generic_kind_reports_no_window_of_its_own_and_the_servers_refusal_names_the_slots_window()
    {
        await using var proxy = await RealEngineProxy.StartAsync(EngineKind.OpenAI);
        var capabilities = await proxy.Backend.DiscoverCapabilitiesAsync(CancellationToken.None);
        capabilities.ContextLength.ShouldBeNull("the generic kind does not read llama-server's /props; `contextLength` or the llama-cpp kind gives it");

        string body = new ClaudeCodeConversation($"Read this:\n{ProjectNotes.Text(seed: 4, sentences: 2600)}").Body();
        using var response = await proxy.PostAsync(body);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        output.WriteLine($"openai: {(int)response.StatusCode} {message}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        type.ShouldBe("invalid_request_error");
        message.ShouldContain("prompt is too long");
        message.ShouldContain(PerSlot.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
