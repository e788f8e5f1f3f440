using AnyClaude.Abstractions.Backends;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Abstractions.Plugins;

/// <summary>The one entry type of a plugin assembly (public, parameterless constructor).</summary>
public interface IAnyClaudePlugin
{
    string Name { get; }

    void Configure(IPluginBuilder plugin);
}

public interface IPluginBuilder
{
    IServiceCollection Services { get; }

    IPluginBuilder AddBackendFactory(IBackendFactory factory);
}
