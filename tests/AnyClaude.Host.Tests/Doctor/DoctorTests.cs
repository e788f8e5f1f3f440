using AnyClaude.Host.Cli.Doctor;
using AnyClaude.Host.Configuration;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Doctor;

/// <summary><c>anyclaude doctor</c> against real fake servers: healthy, down, without tool calling, without a prefix cache.</summary>
public sealed class DoctorTests : IAsyncLifetime
{
    private FakeOpenAIServer _healthy = null!;
    private FakeOpenAIServer _toolless = null!;
    private FakeOpenAIServer _cacheless = null!;
    private Uri _down = null!;

    public async Task InitializeAsync()
    {
        _healthy = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic, new FakeServerOptions { Models = ["healthy-model"] });
        // A server with a prefix cache: the second request sharing the prefix finds most of it cached.
        _healthy.RespondWith(r => ScriptedResponse.Text("ok").WithUsage(1500, 1, r.BodyText.Contains("Say the word second", StringComparison.Ordinal) ? 1400 : 0));
        _toolless = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic, new FakeServerOptions { Models = ["plain-model"], SupportsTools = false });
        _toolless.RespondWith(_ => ScriptedResponse.Text("ok").WithUsage(1500, 1, 1400));
        _cacheless = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic, new FakeServerOptions { Models = ["cold-model"] });
        _cacheless.RespondWith(_ => ScriptedResponse.Text("ok").WithUsage(1500, 1, 0));
        _down = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
    }

    public async Task DisposeAsync()
    {
        await _healthy.DisposeAsync();
        await _toolless.DisposeAsync();
        await _cacheless.DisposeAsync();
    }

    private AnyClaudeOptions Options(string mode) => new()
    {
        Mode = mode,
        Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
        {
            ["healthy"] = new() { Name = "healthy", Kind = "openai", Url = _healthy.BaseUrl, ContextLength = 65536 },
            ["down"] = new() { Name = "down", Kind = "openai", Url = _down },
            ["toolless"] = new() { Name = "toolless", Kind = "openai", Url = _toolless.BaseUrl },
            ["cacheless"] = new() { Name = "cacheless", Kind = "openai", Url = _cacheless.BaseUrl, Model = "not-loaded", ContextLength = 32768 },
        },
    };

    private async Task<(int Code, string Text)> RunAsync(string mode)
    {
        var output = new StringWriter();
        int code = await DoctorCommand.CheckAsync(Options(mode), ProxyHarness.Factories, [], output, TimeSpan.FromSeconds(20), CancellationToken.None);
        return (code, output.ToString());
    }

    /// <summary>A backend's block of the report: from its heading line to the blank line after it.</summary>
    private static string Section(string text, string backend)
    {
        var lines = text.Split('\n');
        int first = Array.FindIndex(lines, l => l.StartsWith($"{backend} (", StringComparison.Ordinal));
        first.ShouldBeGreaterThanOrEqualTo(0, text);
        return string.Join('\n', lines.Skip(first).TakeWhile(l => l.Length > 0));
    }

    [Fact]
    public async Task A_healthy_default_is_usable_and_each_backend_gets_its_verdicts()
    {
        var (code, text) = await RunAsync("healthy");
        code.ShouldBe(0, text);
        text.ShouldContain("The default backend 'healthy' is usable.");

        string healthy = Section(text, "healthy");
        healthy.ShouldContain("healthy (openai, the default)");
        healthy.ShouldContain("✓ reachable");
        healthy.ShouldMatch(@"✓ model\s+loaded: healthy-model");
        healthy.ShouldMatch(@"✓ context window\s+65536 tokens");
        healthy.ShouldMatch(@"✓ tool calling\s+a request with a tool is accepted");
        healthy.ShouldMatch(@"✓ prefix cache\s+the second of two requests sharing a prefix had 1400 of 1500 prompt tokens cached \(93\s?%\)");

        string down = Section(text, "down");
        down.ShouldMatch(@"✗ reachable\s+no: ");
        down.ShouldContain("fix: start the server at");
        down.ShouldNotContain("tool calling");

        string toolless = Section(text, "toolless");
        toolless.ShouldMatch(@"✗ tool calling\s+a request with a tool failed: ");
        toolless.ShouldContain("supportsTools: false or toolEmulation");
        toolless.ShouldMatch(@"! context window\s+unknown");

        string cacheless = Section(text, "cacheless");
        cacheless.ShouldMatch(@"✓ tool calling");
        cacheless.ShouldMatch(@"! prefix cache\s+the second of two requests sharing a prefix had 0 of 1500 prompt tokens cached");
        cacheless.ShouldContain("fix: without a prefix cache every turn prefills the whole conversation");
        cacheless.ShouldMatch(@"! model\s+configured 'not-loaded' is not among the loaded: cold-model");
        cacheless.ShouldMatch(@"! context window\s+32768 tokens: too small for Claude Code");
        cacheless.ShouldContain("so it will compact after nearly every turn; load the model with a context of 65,536 tokens or more");

        // Two requests sharing the prefix reached each server that took tools: the check is real.
        _healthy.ChatRequests.Count(r => r.BodyText.Contains("anyclaude doctor checks that this prefix is cached", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public async Task A_down_default_is_not_usable()
    {
        var (code, text) = await RunAsync("down");
        code.ShouldBe(1, text);
        text.ShouldContain("The default backend 'down' is not usable: reachable: no: ");
    }

    [Fact]
    public async Task A_default_without_tool_calling_is_not_usable()
    {
        var (code, text) = await RunAsync("toolless");
        code.ShouldBe(1, text);
        text.ShouldContain("The default backend 'toolless' is not usable: tool calling: a request with a tool failed");
    }

    [Fact]
    public async Task A_default_without_a_prefix_cache_is_usable_with_a_warning()
    {
        var (code, text) = await RunAsync("cacheless");
        code.ShouldBe(0, text);
        Section(text, "cacheless").ShouldContain("cacheless (openai, the default)");
        text.ShouldContain("! prefix cache");
    }
}
