using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.Vllm;

public sealed class VllmPlugin : IAnyClaudePlugin
{
    public string Name => "Vllm";

    public void Configure(IPluginBuilder plugin) => plugin.AddBackendFactory(new VllmBackendFactory());
}

/// <summary>Backends of kind <c>vllm</c>; unconfigured, one named <c>vllm</c> at <c>vllm serve</c>'s port 8000.</summary>
internal sealed class VllmBackendFactory : IBackendFactory
{
    public string Kind => "vllm";

    public BackendDefaults? Defaults { get; } = new("vllm", new Uri("http://localhost:8000/v1"), "VLLM_URL", "VLLM_API_KEY", "VLLM_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new VllmBackend(settings, services);
}
