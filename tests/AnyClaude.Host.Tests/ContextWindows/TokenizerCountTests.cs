using System.Globalization;
using System.Net;
using System.Text.Json;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Tests.NativeBackends;
using AnyClaude.TestSupport.NativeServers;
using AnyClaude.TestSupport.Tokenizing;
using AnyClaude.TestSupport;
using Microsoft.Extensions.Logging;
using static AnyClaude.Host.Tests.Backends.BackendKindKit;

namespace AnyClaude.Host.Tests.ContextWindows;

/// <summary>
/// Counts made locally with the model's own tokenizer (Qwen2.5's real tokenizer.json) where the server cannot count: an
/// mlx-lm model folder that holds it, or any backend's <c>tokenizer</c> setting. The expected figures are transformers.js's
/// for the ChatML text of the same prompt (26 for <see cref="BackendKindKit.Body"/>'s question, 8,020 for 8,000 "lorem"s).
/// </summary>
public sealed class TokenizerCountTests
{
    private static readonly string LongText = string.Join(' ', Enumerable.Repeat("lorem", 8_000));

    [Fact]
    public async Task Mlx_lm_counts_with_the_tokenizer_in_its_model_folder()
    {
        using var folder = await ModelFolder.WithQwenTokenizerAsync();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm, fakeOptions: new FakeServerOptions { Models = [folder.Path] }, configureBackend: b => b with { Model = folder.Path });

        using var response = await proxy.PostMessagesAsync(Body(stream: false), "/v1/messages/count_tokens");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, RouteHeaders.TokenCountSource).ShouldBe("tokenizer");
        (await InputTokensAsync(response)).ShouldBe(26);
        proxy.Fake.Requests.ShouldNotContain(r => r.Path.Contains("tokenize", StringComparison.Ordinal), "mlx-lm has no tokenize endpoint to ask");
    }

    [Fact]
    public async Task Any_backends_tokenizer_setting_counts_and_the_pre_flight_refusal_uses_that_count()
    {
        string qwen = await TokenizerPackages.QwenFolderAsync();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.LmStudio, fakeOptions: new FakeServerOptions { ContextLength = 8000 }, configureBackend: b => b with { Tokenizer = qwen });
        string body = Body(stream: true, text: LongText);

        using var response = await proxy.PostMessagesAsync(body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var (_, message) = await ErrorBodies.ReadAsync(response);
        message.ShouldBe("prompt is too long: 8020 tokens > 8000 maximum");
        Header(response, RouteHeaders.TokenCountSource).ShouldBe("tokenizer");
        proxy.Fake.ChatRequests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Ollamas_native_backend_counts_with_the_tokenizer_setting()
    {
        string qwen = await TokenizerPackages.QwenFolderAsync();
        await using var fake = await FakeOllamaServer.StartAsync();
        await using var proxy = await NativeProxy.StartAsync("ollama", fake.RootUrl, b => b with { Tokenizer = qwen });

        using var response = await proxy.PostAsync(Body(stream: false), "/v1/messages/count_tokens");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Header(response, RouteHeaders.TokenCountSource).ShouldBe("tokenizer");
        (await InputTokensAsync(response)).ShouldBe(26);
    }

    [Fact]
    public async Task A_server_that_counts_still_wins_over_the_tokenizer()
    {
        string qwen = await TokenizerPackages.QwenFolderAsync();
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LlamaCpp, configureBackend: b => b with { Tokenizer = qwen });

        using var response = await proxy.PostMessagesAsync(Body(stream: false), "/v1/messages/count_tokens");

        Header(response, RouteHeaders.TokenCountSource).ShouldBe("server");
        RequestsTo(proxy.Fake, "/tokenize").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_broken_tokenizer_file_is_one_warning_and_the_count_is_the_estimate()
    {
        using var folder = new ModelFolder();
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {"a": 0}""");
        var logs = new CapturedLogs();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm, configureBackend: b => b with { Model = folder.Path }, logging: logs.Configure);

        for (int i = 0; i < 2; i++)
        {
            using var response = await proxy.PostMessagesAsync(Body(stream: false), "/v1/messages/count_tokens");
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            Header(response, RouteHeaders.TokenCountSource).ShouldBe("estimate");
        }

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("cannot read the tokenizer", StringComparison.Ordinal)).ToList();
        warnings.Count.ShouldBe(1, "the folder is read once");
        warnings[0].Message.ShouldContain(folder.Path);
        warnings[0].Message.ShouldNotContain("\n");
        logs.UnexpectedFailures.ShouldBeEmpty();
    }

    private static async Task<int> InputTokensAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("input_tokens").GetInt32();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    /// <summary>A model folder of its own (tokenizers are read once per folder), with a config.json as mlx-lm's have.</summary>
    private sealed class ModelFolder : IDisposable
    {
        public ModelFolder()
        {
            File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), """{"model_type": "qwen2", "max_position_embeddings": 32768}""");
        }

        public string Path { get; } = Directory.CreateTempSubdirectory("anyclaude-model-").FullName;

        public static async Task<ModelFolder> WithQwenTokenizerAsync()
        {
            var folder = new ModelFolder();
            File.Copy(System.IO.Path.Combine(await TokenizerPackages.QwenFolderAsync(), "tokenizer.json"), System.IO.Path.Combine(folder.Path, "tokenizer.json"));
            return folder;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
