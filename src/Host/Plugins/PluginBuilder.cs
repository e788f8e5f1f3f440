using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Plugins;

/// <summary>Collects what plugins contribute while they configure themselves.</summary>
internal sealed class PluginBuilder(IServiceCollection services) : IPluginBuilder
{
    public IServiceCollection Services { get; } = services;

    public List<IBackendFactory> BackendFactories { get; } = [];

    public IPluginBuilder AddBackendFactory(IBackendFactory factory)
    {
        BackendFactories.Add(factory);
        return this;
    }
}
