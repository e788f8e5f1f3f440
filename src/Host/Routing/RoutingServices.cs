using AnyClaude.Host.Admin;
using AnyClaude.Host.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Routing;

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
        services.AddSingleton(provider => new Cache.ConversationCaches(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Cache.Rewarmer>();
        services.AddSingleton<Cache.Prewarmer>();
        services.AddHostedService(provider => provider.GetRequiredService<Cache.Prewarmer>());
        services.AddSingleton<Router>();
        services.AddSingleton<ProbeCheck>();
        services.AddSingleton<AttemptRunner>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton(provider => new ConfigurationReloader(
            options,
            provider.GetRequiredService<Backends.BackendRegistry>(),
            provider.GetRequiredService<Transforms.RequestPipelines>(),
            provider.GetRequiredService<LiveRouting>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ConfigurationReloader>>()));
        return services;
    }
}
