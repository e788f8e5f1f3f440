using AnyClaude.Host.Backends;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>The context-window services: discovery, counting, calibration and the pre-flight fit.</summary>
internal static class ContextServices
{
    public static IServiceCollection AddContextWindows(this IServiceCollection services)
    {
        services.AddSingleton<CapabilityDiscovery>();
        services.AddSingleton<EstimateCalibration>();
        services.AddSingleton<PromptCounter>();
        services.AddSingleton<PromptGrowth>();
        services.AddSingleton<ContextFit>();
        services.AddHostedService<DiscoveryAtStartup>();
        return services;
    }

    /// <summary>Has every backend start asking its server what it is as the proxy starts, without waiting for the answers.</summary>
    private sealed class DiscoveryAtStartup(CapabilityDiscovery discovery, BackendRegistry backends) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            discovery.StartAll(backends.All);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
