using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.Exo;

public sealed class ExoPlugin : IAnyClaudePlugin
{
    public string Name => "Exo";

    public void Configure(IPluginBuilder plugin) => plugin.AddBackendFactory(new ExoBackendFactory());
}

/// <summary>Backends of kind <c>exo</c>; unconfigured, one named <c>exo</c> at the cluster API's port 52415.</summary>
internal sealed class ExoBackendFactory : IBackendFactory
{
    public string Kind => "exo";

    public BackendDefaults? Defaults { get; } = new("exo", new Uri("http://localhost:52415/v1"), "EXO_URL", "EXO_API_KEY", "EXO_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new ExoBackend(settings, services);
}
