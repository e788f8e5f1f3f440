using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;
using AnyClaude.OpenAICompat.Backends;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Plugins;

/// <summary>The backend kinds on offer: the built-in generic <c>openai</c> one and those the plugins add.</summary>
internal static class BackendFactories
{
    public static IReadOnlyList<IBackendFactory> From(IEnumerable<IAnyClaudePlugin> plugins)
    {
        var builder = new PluginBuilder(new ServiceCollection());
        builder.AddBackendFactory(new GenericOpenAIBackendFactory());
        foreach (var plugin in plugins)
        {
            plugin.Configure(builder);
        }

        return builder.BackendFactories;
    }
}
