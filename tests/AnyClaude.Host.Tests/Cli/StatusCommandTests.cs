using System.Text.Json;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;
using Spectre.Console;

namespace AnyClaude.Host.Tests.Cli;

/// <summary><c>anyclaude status</c> against a real proxy after real requests: the figures, as JSON, as tables, and live.</summary>
public sealed class StatusCommandTests
{
    private static async Task<MultiBackendProxy> ProxyAfterTwoRequestsAsync()
    {
        var proxy = await MultiBackendProxy.StartAsync("a", ["a", "b"]);
        proxy["a"].RespondWith(_ => ScriptedResponse.Text("cached answer").WithUsage(promptTokens: 100, completionTokens: 10, cachedTokens: 80));
        for (int i = 0; i < 2; i++)
        {
            using var response = await proxy.PostAsync(MultiBackendProxy.Simple(stream: true));
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        }

        return proxy;
    }

    /// <summary>A console that records plain text (no colour, no ANSI), wide enough for the tables.</summary>
    internal static (IAnsiConsole Console, StringWriter Output) Recording(int width = 220)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        return (console, output);
    }

    [Fact]
    public async Task Json_carries_each_backends_figures_from_the_requests_it_answered()
    {
        await using var proxy = await ProxyAfterTwoRequestsAsync();
        var output = new StringWriter();
        (await StatusCommand.JsonAsync(proxy.Http.BaseAddress!, null, output, TextWriter.Null)).ShouldBe(0);
        using var json = JsonDocument.Parse(output.ToString());
        var backends = json.RootElement.GetProperty("backends").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!);
        var a = backends["a"].GetProperty("figures");
        a.GetProperty("requests").GetInt32().ShouldBe(2);
        a.GetProperty("errors").GetInt32().ShouldBe(0);
        a.GetProperty("cachedShare").GetDouble().ShouldBe(0.8);
        a.GetProperty("ttftP50").GetDouble().ShouldBeGreaterThan(0);
        a.GetProperty("ttftP95").GetDouble().ShouldBeGreaterThanOrEqualTo(a.GetProperty("ttftP50").GetDouble());
        a.GetProperty("tokensPerSecond").ValueKind.ShouldBe(JsonValueKind.Number);
        var last = a.GetProperty("last");
        last.GetProperty("promptTokens").GetInt32().ShouldBe(100);
        last.GetProperty("cachedTokens").GetInt32().ShouldBe(80);
        last.GetProperty("outputTokens").GetInt32().ShouldBe(10);
        var b = backends["b"].GetProperty("figures");
        b.GetProperty("requests").GetInt32().ShouldBe(0);
        b.GetProperty("last").ValueKind.ShouldBe(JsonValueKind.Null);
        b.GetProperty("cachedShare").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Tables_show_backends_health_figures_and_the_last_requests()
    {
        await using var proxy = await ProxyAfterTwoRequestsAsync();
        var (console, output) = Recording();
        (await StatusCommand.RichAsync(proxy.Http.BaseAddress!, null, console, TextWriter.Null, TimeProvider.System)).ShouldBe(0);
        string text = output.ToString();
        text.ShouldContain("default backend: a");
        text.ShouldMatch(@"│ a\s+│ openai\s+│ http://127\.0\.0\.1:\d+/v1/?\s+│ healthy\s+│ 0\s+│ 2 \(0 errors\)\s+│ \d\.\d{3} s\s+│ \d\.\d{3} s\s+│ [\d.]+\s+│ 80%");
        text.ShouldMatch(@"│ b\s+│ openai .*│ 0 \(0 errors\)\s+│ -\s+│ -\s+│ -\s+│ -");
        text.ShouldMatch(@"│ \d\d:\d\d:\d\d\s+│ a\s+│ a-model-a\s+│ turn\s+│ 200\s+│ \d\.\d{3} s\s+│ 80%");
    }

    [Fact]
    public async Task Watch_refreshes_until_cancelled_and_a_stopped_proxy_is_shown_not_fatal()
    {
        var proxy = await ProxyAfterTwoRequestsAsync();
        var address = proxy.Http.BaseAddress!;
        var (console, output) = Recording();
        using var stop = new CancellationTokenSource();
        var watching = StatusCommand.WatchAsync(address, null, console, TimeProvider.System, stop.Token);
        await Task.Delay(StatusCommand.WatchInterval * 1.5);
        await proxy.DisposeAsync();
        await Task.Delay(StatusCommand.WatchInterval * 2.5);
        stop.Cancel();
        (await watching.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe(0);
        string text = output.ToString();
        text.ShouldContain("default backend: a");
        text.ShouldContain("no anyclaude proxy answers on");
    }

    [Fact]
    public async Task Without_a_proxy_json_and_tables_say_so_in_one_line()
    {
        var proxy = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/");
        var error = new StringWriter();
        (await StatusCommand.JsonAsync(proxy, null, TextWriter.Null, error)).ShouldBe(1);
        (await StatusCommand.RichAsync(proxy, null, Recording().Console, error, TimeProvider.System)).ShouldBe(1);
        error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldAllBe(l => l.StartsWith("anyclaude: no anyclaude proxy answers on"));
    }
}
