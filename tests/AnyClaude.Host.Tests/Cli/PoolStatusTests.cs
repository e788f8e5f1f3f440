using System.Net;
using System.Text.Json;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Cli;

/// <summary>
/// <c>anyclaude status</c> for a pool shows every destination, not just the first URL: a real proxy whose pool's first
/// destination is a closed port (taken out on the first request) and whose second answers and holds the conversation.
/// </summary>
public sealed class PoolStatusTests
{
    private static async Task<(MultiBackendProxy Proxy, Uri Dead)> PoolAfterAFailoverAsync()
    {
        var dead = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
        var proxy = await MultiBackendProxy.StartAsync("pool", ["a"], configure: options => options with
        {
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["pool"] = new() { Name = "pool", Kind = "openai", Url = dead, Urls = [dead, options.Backends["a"].Url] },
            },
        });
        using var response = await proxy.PostAsync(Cache.ConversationTurns.Turn(1, "one"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (proxy, dead);
    }

    private static async Task<JsonDocument> StatusJsonAsync(MultiBackendProxy proxy)
    {
        var output = new StringWriter();
        (await StatusCommand.JsonAsync(proxy.Http.BaseAddress!, null, output, TextWriter.Null)).ShouldBe(0);
        return JsonDocument.Parse(output.ToString());
    }

    [Fact]
    public async Task Json_lists_each_destination_with_its_health_load_and_conversations()
    {
        var (proxy, dead) = await PoolAfterAFailoverAsync();
        await using var _ = proxy;
        using var status = await StatusJsonAsync(proxy);

        var pool = status.RootElement.GetProperty("backends").EnumerateArray().ShouldHaveSingleItem();
        var destinations = pool.GetProperty("destinations").EnumerateArray().ToList();
        destinations.Count.ShouldBe(2);

        destinations[0].GetProperty("url").GetString().ShouldBe(dead.ToString());
        destinations[0].GetProperty("healthy").GetBoolean().ShouldBeFalse();
        destinations[0].GetProperty("failures").GetInt32().ShouldBe(1);
        destinations[0].GetProperty("conversations").GetInt32().ShouldBe(0);
        destinations[0].GetProperty("retryAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow);
        destinations[0].GetProperty("lastError").GetString().ShouldNotBeNullOrEmpty();

        new Uri(destinations[1].GetProperty("url").GetString()!).Authority.ShouldBe(proxy["a"].BaseUrl.Authority);
        destinations[1].GetProperty("healthy").GetBoolean().ShouldBeTrue();
        destinations[1].GetProperty("failures").GetInt32().ShouldBe(0);
        destinations[1].GetProperty("inFlight").GetInt32().ShouldBe(0);
        destinations[1].GetProperty("conversations").GetInt32().ShouldBe(1);
        destinations[1].TryGetProperty("retryAt", out var _).ShouldBeFalse();
    }

    [Fact]
    public async Task A_single_url_backend_has_no_destinations_list()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a"]);
        using var status = await StatusJsonAsync(proxy);
        status.RootElement.GetProperty("backends").EnumerateArray().ShouldHaveSingleItem().TryGetProperty("destinations", out var _).ShouldBeFalse();
    }

    [Fact]
    public async Task Tables_and_text_show_every_destination()
    {
        var (proxy, dead) = await PoolAfterAFailoverAsync();
        await using var _ = proxy;
        string live = proxy["a"].BaseUrl.ToString();

        var (console, output) = StatusCommandTests.Recording(width: 300);
        (await StatusCommand.RichAsync(proxy.Http.BaseAddress!, null, console, TextWriter.Null, TimeProvider.System)).ShouldBe(0);
        string tables = output.ToString();
        tables.ShouldContain($"{dead} down (1 failures) 0 in flight, 0 conversations");
        tables.ShouldContain($"{live} up 0 in flight, 1 conversations");

        using var status = await StatusJsonAsync(proxy);
        string text = ControlCommands.FormatStatus(AnyClaude.Host.Admin.ProxyStatus.Read(status.RootElement));
        text.ShouldMatch($@"destination {Regex(dead)}: down \(1 failures: .+\); in flight 0; conversations 0");
        text.ShouldContain($"destination {live}: up; in flight 0; conversations 1");
    }

    private static string Regex(Uri url) => System.Text.RegularExpressions.Regex.Escape(url.ToString());
}
