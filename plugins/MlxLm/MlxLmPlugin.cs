using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.MlxLm;

public sealed class MlxLmPlugin : IAnyClaudePlugin
{
    public string Name => "MlxLm";

    public void Configure(IPluginBuilder plugin) => plugin.AddBackendFactory(new MlxLmBackendFactory());
}

internal sealed class MlxLmBackendFactory : IBackendFactory
{
    public string Kind => "mlx-lm";

    public BackendDefaults? Defaults { get; } = new("mlx-lm", new Uri("http://localhost:8081/v1"), "MLX_LM_URL", "MLX_LM_API_KEY", "MLX_LM_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new MlxLmBackend(settings, services);
}
