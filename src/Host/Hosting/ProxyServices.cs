using AnyClaude.Host.Admin;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Proxy.Attempts;
using AnyClaude.Host.Proxy.Cache;
using AnyClaude.Host.Proxy.ContextWindows;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Proxy.Stages;
using AnyClaude.Host.Proxy.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Hosting;

internal static class RoutingServices
{
    /// <summary>The router, the attempt runner and the live state they share (routing table, health, recent requests).</summary>
    public static IServiceCollection AddRequestRouting(this IServiceCollection services, AnyClaudeOptions options)
    {
        services.AddSingleton(LiveRouting.From(options));
        services.AddSingleton(provider => new BackendHealthTracker(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<BackendQueues>();
        services.AddSingleton<BackendProber>();
        services.AddHostedService(provider => provider.GetRequiredService<BackendProber>());
        services.AddSingleton(provider => new RecentRequests(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new ConversationCaches(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Rewarmer>();
        services.AddSingleton<Prewarmer>();
        services.AddHostedService(provider => provider.GetRequiredService<Prewarmer>());
        services.AddSingleton<Router>();
        services.AddSingleton<ProbeCheck>();
        services.AddSingleton<AttemptRunner>();
        services.AddSingleton<ProxyPipelines>();
        // The listeners told of every finished request, in this order (IRequestListener).
        services.AddSingleton<IRequestListener>(provider => provider.GetRequiredService<RecentRequests>());
        services.AddSingleton<IRequestListener>(provider => provider.GetRequiredService<ProxyMetrics>());
        services.AddSingleton<IRequestListener>(provider => provider.GetRequiredService<EstimateCalibration>());
        services.AddSingleton<ProxyStatusBuilder>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton(provider => new ConfigurationReloader(
            options,
            provider.GetRequiredService<BackendRegistry>(),
            provider.GetRequiredService<RequestPipelines>(),
            provider.GetRequiredService<LiveRouting>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ConfigurationReloader>>()));
        return services;
    }
}
