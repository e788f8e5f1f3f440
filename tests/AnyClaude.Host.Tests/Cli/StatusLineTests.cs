using System.Text.Json;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Cli.Launcher;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Cli;

/// <summary>
/// <c>anyclaude statusline</c> fed Claude Code's status-line JSON against a real proxy: StatusLine/claude-code-2.1.332.json
/// after an answer (the shape of protocol.md §1a), StatusLine/claude-code-2.1.332-startup.json recorded from the real
/// 2.1.332 at start-up (<c>current_usage</c> null; paths anonymised); and the launcher's <c>--settings</c> that configures it.
/// </summary>
public sealed class StatusLineTests
{
    private static readonly string ClaudeJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cli", "StatusLine", "claude-code-2.1.332.json"));

    private static readonly string RecordedStartupJson = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cli", "StatusLine", "claude-code-2.1.332-startup.json"));

    [Fact]
    public async Task Prints_backend_model_cached_share_rate_and_context_of_the_real_window()
    {
        await using var proxy = await MultiBackendProxy.StartAsync(
            "a", ["a"],
            configure: o => o with { Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase) { ["a"] = o.Backends["a"] with { ContextLength = 32768 } } });
        proxy["a"].RespondWith(_ => ScriptedResponse.Text("an answer of some length").WithUsage(promptTokens: 12000, completionTokens: 300, cachedTokens: 9000));
        using (var response = await proxy.PostAsync(MultiBackendProxy.Simple(stream: true)))
        {
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        }

        var output = new StringWriter();
        (await StatusLineCommand.RunAsync(proxy.Http.BaseAddress!, null, new StringReader(ClaudeJson), output)).ShouldBe(0);
        string line = output.ToString().TrimEnd('\n');
        line.ShouldNotContain("\n");
        line.ShouldMatch(@"^a · a-model-a · cached 75% · \d+(\.\d)? tok/s · ctx 12\.3k/32\.8k \(38%\)$");
        line.ShouldNotContain("$");
    }

    [Fact]
    public async Task Before_any_request_it_names_the_default_and_takes_the_context_from_claude()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a"]);
        var output = new StringWriter();
        (await StatusLineCommand.RunAsync(proxy.Http.BaseAddress!, null, new StringReader(ClaudeJson), output)).ShouldBe(0);
        // 1240 + 24800 + 0 + 96 from current_usage; no window is known for this backend.
        output.ToString().TrimEnd('\n').ShouldBe("a · ctx 26.1k");
    }

    [Fact]
    public async Task At_start_up_claudes_recorded_json_has_no_usage_and_the_line_names_the_default()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a"]);
        var output = new StringWriter();
        (await StatusLineCommand.RunAsync(proxy.Http.BaseAddress!, null, new StringReader(RecordedStartupJson), output)).ShouldBe(0);
        output.ToString().TrimEnd('\n').ShouldBe("a");
    }

    [Fact]
    public async Task Claude_Code_2_1_337s_json_with_its_new_keys_is_read_like_before()
    {
        string json = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cli", "StatusLine", "claude-code-2.1.337.json"));
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a"]);
        var output = new StringWriter();
        (await StatusLineCommand.RunAsync(proxy.Http.BaseAddress!, null, new StringReader(json), output)).ShouldBe(0);
        // 880 + 26100 + 0 + 120 from current_usage; effort, session_name, prompt_id, thinking and the rest are passed over.
        output.ToString().TrimEnd('\n').ShouldBe("a · ctx 27.1k");

        var alone = new StringWriter();
        var closed = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/");
        (await StatusLineCommand.RunAsync(closed, null, new StringReader(json), alone)).ShouldBe(0);
        alone.ToString().TrimEnd('\n').ShouldBe("anyclaude: proxy not answering · qwen/qwen3-coder-30b");
    }

    [Theory]
    [InlineData("""{"model": "qwen3", "context_window": {"current_usage": {"input_tokens": "many"}}}""", "a", "anyclaude: proxy not answering · qwen3")]
    [InlineData("""{"model": {"display_name": 5}, "context_window": "full"}""", "a", "anyclaude: proxy not answering")]
    [InlineData("""[1, 2]""", "a", "anyclaude: proxy not answering")]
    [InlineData("""{"context_window": {"current_usage": {"input_tokens": 1500, "output_tokens": 12345678901234567890}}}""", "a · ctx 1.5k", "anyclaude: proxy not answering")]
    public async Task Keys_of_an_unexpected_shape_are_passed_over_and_the_line_still_prints(string json, string withProxy, string withoutProxy)
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a"]);
        var output = new StringWriter();
        (await StatusLineCommand.RunAsync(proxy.Http.BaseAddress!, null, new StringReader(json), output)).ShouldBe(0);
        output.ToString().TrimEnd('\n').ShouldBe(withProxy);

        var alone = new StringWriter();
        var closed = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/");
        (await StatusLineCommand.RunAsync(closed, null, new StringReader(json), alone)).ShouldBe(0);
        alone.ToString().TrimEnd('\n').ShouldBe(withoutProxy);
    }

    [Fact]
    public async Task Without_a_proxy_it_says_so_and_still_exits_0()
    {
        var output = new StringWriter();
        var proxy = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/");
        (await StatusLineCommand.RunAsync(proxy, null, new StringReader(ClaudeJson), output)).ShouldBe(0);
        output.ToString().TrimEnd('\n').ShouldBe("anyclaude: proxy not answering · Opus 5.5");
        var garbled = new StringWriter();
        (await StatusLineCommand.RunAsync(proxy, null, new StringReader("not json"), garbled)).ShouldBe(0);
        garbled.ToString().TrimEnd('\n').ShouldBe("anyclaude: proxy not answering");
    }

    [Fact]
    public void The_launcher_adds_a_status_line_setting_unless_the_user_has_one()
    {
        using var folder = new TemporaryFolder();
        string home = Path.Combine(folder.Path, "home"), work = Path.Combine(folder.Path, "work");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(work);
        var none = new Dictionary<string, string?>();

        var arguments = StatusLineSetting.Apply(["-c"], 8123, "'/opt/any claude'", home, work, none);
        arguments.Count.ShouldBe(3);
        arguments[0].ShouldBe("--settings");
        arguments[2].ShouldBe("-c");
        using (var settings = JsonDocument.Parse(arguments[1]))
        {
            var statusLine = settings.RootElement.GetProperty("statusLine");
            statusLine.GetProperty("type").GetString().ShouldBe("command");
            statusLine.GetProperty("command").GetString().ShouldBe("'/opt/any claude' statusline --port 8123");
        }

        // Claude Code's own subcommands and the user's own --settings are left alone.
        StatusLineSetting.Apply(["doctor"], 8123, "anyclaude", home, work, none).ShouldBe(["doctor"]);
        StatusLineSetting.Apply(["--settings", "{}"], 8123, "anyclaude", home, work, none).ShouldBe(["--settings", "{}"]);

        // A status line in the project's local settings (comments allowed, as Claude Code allows them) wins.
        Directory.CreateDirectory(Path.Combine(work, ".claude"));
        File.WriteAllText(Path.Combine(work, ".claude", "settings.local.json"), "{ // mine\n \"statusLine\": {\"type\": \"command\", \"command\": \"echo mine\"}, }");
        StatusLineSetting.Apply([], 8123, "anyclaude", home, work, none).ShouldBeEmpty();
        File.Delete(Path.Combine(work, ".claude", "settings.local.json"));

        // So does one in the user's settings, under CLAUDE_CONFIG_DIR when it is set.
        string configDirectory = Path.Combine(folder.Path, "claude-config");
        Directory.CreateDirectory(configDirectory);
        File.WriteAllText(Path.Combine(configDirectory, "settings.json"), """{"statusLine": {"type": "command", "command": "echo mine"}}""");
        StatusLineSetting.Apply([], 8123, "anyclaude", home, work, new Dictionary<string, string?> { ["CLAUDE_CONFIG_DIR"] = configDirectory }).ShouldBeEmpty();
        StatusLineSetting.Apply([], 8123, "anyclaude", home, work, none).Count.ShouldBe(2);
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("anyclaude-statusline-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
