using AnyClaude.Abstractions.Backends;
using AnyClaude.OpenAICompat.Backends;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.OpenAICompat.Tests.Backends;

public sealed class CapabilityDiscoveryTests
{
    private static readonly BackendCapabilities KindDefaults = new() { Tools = true, ContextLength = 4096, Slots = 1, PromptCache = false };

    [Fact]
    public async Task What_the_server_reports_overrides_the_kinds_defaults_and_settings_override_both()
    {
        using var client = new HttpClient();
        var settings = new BackendSettings { Name = "b", Kind = "k", Url = new Uri("http://127.0.0.1:1/v1"), SupportsTools = true, MaxOutputTokens = 2048 };
        var backend = new ReportingBackend(settings, client, new ServerReport { Tools = false, ContextLength = 131072, Slots = 4, PromptCache = true, ReportsCachedTokens = false });

        Assert.Equal(4096, backend.Capabilities.ContextLength); // nothing asked yet: the kind's defaults
        var discovered = await backend.DiscoverCapabilitiesAsync(CancellationToken.None);

        Assert.Same(discovered, backend.Capabilities);
        Assert.True(discovered.Tools); // configured beats reported
        Assert.Equal(131072, discovered.ContextLength);
        Assert.Equal(4, discovered.Slots);
        Assert.True(discovered.PromptCache);
        Assert.False(discovered.ReportsCachedTokens);
        Assert.Equal(2048, discovered.MaxOutputTokens);
    }

    [Fact]
    public async Task A_configured_context_length_wins_over_the_servers_and_a_silent_server_changes_nothing()
    {
        using var client = new HttpClient();
        var settings = new BackendSettings { Name = "b", Kind = "k", Url = new Uri("http://127.0.0.1:1/v1"), ContextLength = 32768 };
        var reporting = new ReportingBackend(settings, client, new ServerReport { ContextLength = 131072 });
        var silent = new ReportingBackend(settings with { ContextLength = null }, client, report: null);

        Assert.Equal(32768, (await reporting.DiscoverCapabilitiesAsync(CancellationToken.None)).ContextLength);
        var before = silent.Capabilities;
        Assert.Same(before, await silent.DiscoverCapabilitiesAsync(CancellationToken.None));
        Assert.Equal(4096, before.ContextLength);
    }

    private sealed class ReportingBackend(BackendSettings settings, HttpClient client, ServerReport? report)
        : OpenAICompatibleBackend(settings, new BackendServices(client, NullLoggerFactory.Instance, TimeProvider.System), KindDefaults)
    {
        protected override string StartHint => "start it";

        protected override Task<ServerReport?> ReadServerReportAsync(CancellationToken cancellationToken) => Task.FromResult(report);
    }
}
