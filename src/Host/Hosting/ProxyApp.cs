using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Admin;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Dashboard;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Http;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Proxy.ContextWindows;
using AnyClaude.Host.Proxy.Endpoints;
using AnyClaude.Host.Proxy.Telemetry;
using AnyClaude.Host.Scripting;
using AnyClaude.Host.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Hosting;

/// <summary>Builds the proxy: Kestrel on the configured address, the Anthropic endpoints, the backends.</summary>
internal static class ProxyApp
{
    /// <param name="transforms">
    /// The plugin transforms and loaded scripts the pipelines can use; null is the plugins' transforms without scripts. Unknown names in a
    /// backend's <c>transforms</c> throw here (<see cref="TransformCatalog.Validate"/> reports them one per line first).
    /// </param>
    public static WebApplication Build(
        AnyClaudeOptions options,
        IReadOnlyCollection<IBackendFactory> factories,
        Action<ILoggingBuilder> configureLogging,
        bool stopOnCtrlC = true,
        TransformCatalog? transforms = null) =>
        Build(options, new FixedCatalogSource(PluginCatalog.FromFactories(factories)), configureLogging, stopOnCtrlC, transforms);

    /// <summary>The proxy over a live plugin catalog: backends follow the plugins as they are added, replaced or removed.</summary>
    public static WebApplication Build(
        AnyClaudeOptions options,
        IPluginCatalogSource plugins,
        Action<ILoggingBuilder> configureLogging,
        bool stopOnCtrlC = true,
        TransformCatalog? transforms = null)
    {
        transforms ??= new TransformCatalog(plugins.Current.RequestTransforms, ScriptSet.Empty);
        var responses = ResponseCatalog.For(plugins.Current);
        if (transforms.Validate(options).Concat(responses.Validate(options)).ToList() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }

        var address = ListenAddresses.Parse(options.Host);
        if (!ListenAddresses.IsLoopback(address) && string.IsNullOrEmpty(options.ApiKey))
        {
            throw new InvalidOperationException($"refusing to listen on {options.Host} (not loopback) without an access key (ANYCLAUDE_API_KEY / apiKey)");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "anyclaude",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(address, options.Port);
        });

        var services = builder.Services;
        if (!stopOnCtrlC)
        {
            services.AddSingleton<IHostLifetime, ManualLifetime>();
        }

        services.AddSingleton(options);
        RequestLogging.AddServices(services);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(plugins);
        services.AddSingleton(provider => new BackendRegistry(options, plugins, provider.GetRequiredService<ILoggerFactory>(), TimeProvider.System));
        // The start-up transforms are handed over once: after a plugin reload nothing may keep the old ones (and so
        // the old plugin's load context) alive, so neither the container nor this closure holds on to them.
        var startupTransforms = new StrongBox<TransformCatalog?>(transforms);
        services.AddSingleton(provider => new RequestPipelines(
            options,
            provider.GetRequiredService<BackendRegistry>(),
            Interlocked.Exchange(ref startupTransforms.Value, null)!,
            provider.GetRequiredService<ILoggerFactory>(),
            plugins));
        services.AddRequestRouting(options);
        services.AddContextWindows();
        services.AddProxyMetrics(options);
        services.AddModelServers(options);
        services.AddSingleton<DashboardAccess>();
        services.AddSingleton<DashboardEndpoints>();
        services.AddSingleton(provider => new ResponsePipelines(provider.GetRequiredService<BackendRegistry>().SettingsOf, responses, plugins));
        services.AddSingleton<MessagesEndpoint>();
        services.AddSingleton<CountTokensEndpoint>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddSingleton<HealthEndpoints>();

        var app = builder.Build();
        if (options.Debug >= 1)
        {
            RequestLogging.Use(app);
        }

        app.UseMiddleware<AnthropicErrorMiddleware>();
        app.UseMiddleware<HopLoopMiddleware>();
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            app.UseMiddleware<DashboardAccessMiddleware>();
            app.UseMiddleware<AccessKeyMiddleware>(AccessKeyMiddleware.Hash(options.ApiKey));
        }

        app.UseRouting();
        app.UseMiddleware<LoopbackOnlyMiddleware>();
        app.UseMiddleware<SameOriginMiddleware>();

        app.Services.GetRequiredService<RequestPipelines>(); // built once, at start-up
        var messages = app.Services.GetRequiredService<MessagesEndpoint>();
        var countTokens = app.Services.GetRequiredService<CountTokensEndpoint>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        var health = app.Services.GetRequiredService<HealthEndpoints>();
        app.MapPost("/v1/messages", messages.HandleAsync);
        app.MapPost("/v1/messages/count_tokens", countTokens.HandleAsync);
        app.MapPost(MessagesSubpathEndpoint.Pattern, MessagesSubpathEndpoint.HandleAsync);
        app.MapGet("/v1/models", models.HandleAsync);
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], context => Task.CompletedTask);
        app.MapGet("/health/live", HealthEndpoints.LiveAsync);
        app.MapGet("/health/ready", health.ReadyAsync);
        app.Services.GetRequiredService<AdminEndpoints>().Map(AdminGroup.Map(app));
        MetricsServices.MapMetrics(app, options);
        app.Services.GetRequiredService<DashboardEndpoints>().Map(app);
        // No MapFallback: a catch-all route would also match GET /v1/messages and turn routing's 405 into a 404.
        // Unmatched paths end with the pipeline's bare 404, which AnthropicErrorMiddleware gives an Anthropic body.
        return app;
    }

    /// <summary>The address Kestrel actually listens on (the port is known only after start when 0 was asked for).</summary>
    public static Uri ListeningAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }
}
