using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.LmStudio;

public sealed class LmStudioPlugin : IAnyClaudePlugin
{
    public string Name => "LmStudio";

    public void Configure(IPluginBuilder plugin) => plugin.AddBackendFactory(new LmStudioBackendFactory());
}

internal sealed class LmStudioBackendFactory : IBackendFactory
{
    public string Kind => "lmstudio";

    public BackendDefaults? Defaults { get; } = new("lmstudio", new Uri("http://localhost:1234/v1"), "LMSTUDIO_URL", "LMSTUDIO_API_KEY", "LMSTUDIO_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new LmStudioBackend(settings, services);
}
