using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.MlxTextgen;

/// <summary>The entry type. The factory below is public, so the host's scan finds it: nothing to register by hand.</summary>
public sealed class MlxTextgenPlugin : IAnyClaudePlugin
{
    public string Name => "MlxTextgen";

    public void Configure(IPluginBuilder plugin)
    {
    }
}

/// <summary>Backends of kind <c>mlx-textgen</c>; unconfigured, one named <c>mlx-textgen</c> at port 5001 with the seed-style variables.</summary>
public sealed class MlxTextgenBackendFactory : IBackendFactory
{
    public string Kind => "mlx-textgen";

    public BackendDefaults? Defaults { get; } = new(
        "mlx-textgen", new Uri("http://localhost:5001/v1"), "MLX_TEXTGEN_URL", "MLX_TEXTGEN_API_KEY", "MLX_TEXTGEN_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new MlxTextgenBackend(settings, services);
}
