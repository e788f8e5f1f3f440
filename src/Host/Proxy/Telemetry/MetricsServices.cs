using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using System.Runtime.CompilerServices;

namespace AnyClaude.Host.Proxy.Telemetry;

internal static class MetricsServices
{
    /// <summary>The recorder and OpenTelemetry's metrics pipeline: Prometheus text always, OTLP when <c>otlpEndpoint</c> is set.</summary>
    public static IServiceCollection AddProxyMetrics(this IServiceCollection services, AnyClaudeOptions options)
    {
        services.AddSingleton(provider => new RequestStatistics(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LiveRequests>();
        services.AddSingleton(provider => new ProxyMetrics(
            provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            name => provider.GetRequiredService<BackendRegistry>().SettingsOf(name)?.Url,
            provider.GetRequiredService<RequestStatistics>()));
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ProxyMetrics.MeterName);
            // Scrapes see every request that finished before them: no cached answer.
            metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            if (options.OtlpEndpoint is { } endpoint)
            {
                AddOtlpExporter(metrics, endpoint);
            }
        });
        return services;
    }

    // Its own method, not inlined: the JIT loads the OTLP exporter and Protobuf (~2 MiB mapped and compiled) for the
    // method that names them, so only a proxy with an otlpEndpoint pays for them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddOtlpExporter(MeterProviderBuilder metrics, Uri endpoint) =>
        metrics.AddOtlpExporter(otlp => otlp.Endpoint = endpoint);

    /// <summary><c>GET /metrics</c> in Prometheus text: loopback only, unless an access key guards the proxy (then anyone with the key).</summary>
    public static void MapMetrics(WebApplication app, AnyClaudeOptions options)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint("/metrics");
        if (string.IsNullOrEmpty(options.ApiKey))
        {
            endpoint.RequireLoopback();
        }
    }
}
