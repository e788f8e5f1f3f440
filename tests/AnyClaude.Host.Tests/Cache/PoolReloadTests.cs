using System.Net;
using System.Text.Json;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.OpenAICompat.Backends;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Tests.Cache;

/// <summary>
/// A reload that recreates a pool's backend (a configuration edit, a plugin reload) keeps what the pool knows about the
/// destinations that remain (which conversation is where, which one is backed off) and forgets the removed ones.
/// </summary>
public sealed class PoolReloadTests
{
    private static BackendOptions Pool(MultiBackendProxy proxy, string model, params string[] members) => new()
    {
        Name = "pool",
        Kind = "openai",
        Model = model,
        Url = proxy[members[0]].BaseUrl,
        Urls = [.. members.Select(m => proxy[m].BaseUrl)],
    };

    private static Task<MultiBackendProxy> StartAsync() =>
        MultiBackendProxy.StartAsync("pool", ["a", "b", "c"], configure: options => options with
        {
            Backends = new Dictionary<string, BackendOptions>(options.Backends, StringComparer.OrdinalIgnoreCase)
            {
                ["pool"] = new() { Name = "pool", Kind = "openai", Model = "m-1", Url = options.Backends["a"].Url, Urls = [options.Backends["a"].Url, options.Backends["b"].Url] },
            },
        });

    private static void Reconfigure(MultiBackendProxy proxy, BackendOptions pool)
    {
        var registry = proxy.App.Services.GetRequiredService<BackendRegistry>();
        var before = registry.Get("pool");
        var changes = registry.Reconfigure(proxy.Options with
        {
            Backends = new Dictionary<string, BackendOptions>(proxy.Options.Backends, StringComparer.OrdinalIgnoreCase) { ["pool"] = pool },
        });
        changes.Changed.ShouldBe(["pool"]);
        registry.Get("pool").ShouldNotBeSameAs(before, "the reload recreates the pool's backend");
    }

    private static PooledBackend PoolOf(MultiBackendProxy proxy) =>
        proxy.App.Services.GetRequiredService<BackendRegistry>().Get("pool").ShouldBeOfType<PooledBackend>();

    [Fact]
    public async Task A_settings_edit_that_keeps_the_urls_keeps_each_conversation_on_its_destination()
    {
        await using var proxy = await StartAsync();
        (await AnswerAsync(proxy, 1, "one")).ShouldBe("answer from a");
        (await AnswerAsync(proxy, 1, "two")).ShouldBe("answer from b");

        Reconfigure(proxy, Pool(proxy, "m-2", "a", "b"));

        // A fresh pool would send "two" to a (least loaded, first); the carried affinity keeps it on b.
        (await AnswerAsync(proxy, 2, "two")).ShouldBe("answer from b");
        (await LastStrategyAsync(proxy)).ShouldBe($"affinity {proxy["b"].BaseUrl.Authority}");
        (await AnswerAsync(proxy, 2, "one")).ShouldBe("answer from a");
        (await LastStrategyAsync(proxy)).ShouldBe($"affinity {proxy["a"].BaseUrl.Authority}");
        proxy.LastUpstreamModel("a").ShouldBe("m-2");
        PoolOf(proxy).Snapshot().Select(d => d.Conversations).ShouldBe([1, 1]);
    }

    [Fact]
    public async Task A_removed_destination_takes_its_conversations_and_state_with_it_and_the_others_keep_theirs()
    {
        await using var proxy = await StartAsync();
        (await AnswerAsync(proxy, 1, "one")).ShouldBe("answer from a");
        (await AnswerAsync(proxy, 1, "two")).ShouldBe("answer from b");

        // Reordered, a removed, c added: b keeps "two" though it is no longer first.
        Reconfigure(proxy, Pool(proxy, "m-1", "c", "b"));
        PoolOf(proxy).Snapshot().Select(d => (d.Url.Port, d.Conversations)).ShouldBe([(proxy["c"].BaseUrl.Port, 0), (proxy["b"].BaseUrl.Port, 1)]);
        (await AnswerAsync(proxy, 2, "two")).ShouldBe("answer from b");
        (await LastStrategyAsync(proxy)).ShouldBe($"affinity {proxy["b"].BaseUrl.Authority}");

        // a comes back as a new destination: it holds nothing, so "one" is placed afresh, not by affinity.
        Reconfigure(proxy, Pool(proxy, "m-1", "a", "b", "c"));
        PoolOf(proxy).Snapshot().Select(d => d.Conversations).ShouldBe([0, 1, 0]);
        (await AnswerAsync(proxy, 2, "one")).ShouldBe("answer from a");
        (await LastStrategyAsync(proxy)).ShouldBe($"least-loaded {proxy["a"].BaseUrl.Authority}");
    }

    [Fact]
    public async Task A_backed_off_destination_stays_backed_off_across_a_settings_edit()
    {
        await using var proxy = await StartAsync();
        var dead = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
        var pool = Pool(proxy, "m-1", "a") with { Urls = [proxy["a"].BaseUrl, dead] };
        Reconfigure(proxy, pool);
        (await PoolOf(proxy).CheckHealthAsync(CancellationToken.None)).IsHealthy.ShouldBeTrue();
        var down = PoolOf(proxy).Snapshot()[1];
        down.Healthy.ShouldBeFalse();

        Reconfigure(proxy, pool with { Model = "m-2" });

        var carried = PoolOf(proxy).Snapshot()[1];
        carried.Healthy.ShouldBeFalse();
        carried.Failures.ShouldBe(1);
        carried.RetryAt.ShouldBe(down.RetryAt);
        carried.LastError.ShouldNotBeNull().ShouldBe(down.LastError);
    }

    [Fact]
    public async Task A_plugin_reload_that_recreates_the_pool_keeps_its_destinations_state()
    {
        await using var live = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic);
        var dead = new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1");
        var options = new AnyClaudeOptions
        {
            Mode = "pool",
            Backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase)
            {
                ["pool"] = new() { Name = "pool", Kind = "openai", Url = live.BaseUrl, Urls = [live.BaseUrl, dead] },
            },
        };
        var plugins = new SwappableCatalog(PluginCatalog.FromFactories([new GenericOpenAIBackendFactory()]));
        using var registry = new BackendRegistry(options, plugins, NullLoggerFactory.Instance, TimeProvider.System);
        var before = registry.Get("pool").ShouldBeOfType<PooledBackend>();
        await before.CheckHealthAsync(CancellationToken.None);

        plugins.Swap(PluginCatalog.FromFactories([new GenericOpenAIBackendFactory()]));

        var after = registry.Get("pool").ShouldBeOfType<PooledBackend>();
        after.ShouldNotBeSameAs(before);
        after.Snapshot().Select(d => (d.Healthy, d.Failures)).ShouldBe([(true, 0), (false, 1)]);
    }

    private static async Task<string> AnswerAsync(MultiBackendProxy proxy, int turn, string session)
    {
        using var response = await proxy.PostAsync(ConversationTurns.Turn(turn, session, topic: session));
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return MultiBackendProxy.TextOf(text);
    }

    private static async Task<string?> LastStrategyAsync(MultiBackendProxy proxy)
    {
        using var response = await proxy.AdminAsync(HttpMethod.Get, "/admin/status");
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return status.RootElement.GetProperty("recent").EnumerateArray().Last().GetProperty("strategy").GetString();
    }

    private sealed class SwappableCatalog(PluginCatalog first) : IPluginCatalogSource
    {
        public PluginCatalog Current { get; private set; } = first;

        public event Action<PluginCatalog>? Changed;

        public void Swap(PluginCatalog next)
        {
            Current = next;
            Changed?.Invoke(next);
        }
    }
}
