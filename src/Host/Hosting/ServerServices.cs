using AnyClaude.Host.Configuration;
using AnyClaude.Host.Servers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Hosting;

internal static class ServerServices
{
    /// <summary>
    /// One <see cref="ServerSupervisor"/> per backend with a <c>start</c> command. The container owns them, so the
    /// servers anyclaude started stop when the app is disposed: after Kestrel has stopped and the requests are done.
    /// </summary>
    public static IServiceCollection AddModelServers(this IServiceCollection services, AnyClaudeOptions options)
    {
        services.AddSingleton<ServerAnnouncements>();
        services.AddSingleton(provider =>
        {
            var started = options.Backends.Values.Where(backend => backend.Start is not null).ToList();
            if (started.Count == 0)
            {
                return new ServerSupervisors([]);
            }

            // The health checks' own client: loopback probes every 250 ms while a server loads, each bounded by its token.
            var http = new HttpClient();
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("AnyClaude.Host.Servers");
            var announcements = provider.GetRequiredService<ServerAnnouncements>();
            return new ServerSupervisors(started
                .Select(backend => new ServerSupervisor(
                    backend.Name, backend.Start!, ServerHealthChecks.For(backend.Kind, backend.Url, http), logger, announcements.Say)));
        });
        return services;
    }
}
