using AnyClaude.Abstractions.Backends;
using AnyClaude.OpenAICompat.Backends;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.Plugins.MlxTextgen;

/// <summary>
/// MLX-Textgen (<c>mlx_textgen</c>, port 5001): OpenAI-compatible. It keeps many KV-cache slots and picks the one
/// with the longest shared prefix, so the proxy's byte-stable rendering pays off even with side calls in between.
/// Tool calls come from guided decoding, one call per answer: the request says <c>parallel_tool_calls: false</c> so
/// the model is not asked for more than the server can produce. Without a configured model it asks for the first
/// model the server lists.
/// </summary>
internal sealed class MlxTextgenBackend : OpenAICompatibleBackend
{
    public MlxTextgenBackend(BackendSettings settings, BackendServices services)
        : base(settings, services, new BackendCapabilities { PromptCache = true })
    {
    }

    protected override string StartHint =>
        $"start it with `mlx_textgen.server --model <model> --port {BaseUrl.Port}` (or set MLX_TEXTGEN_URL)";


    protected override ChatRenderOptions CreateRenderOptions(string model) =>
        base.CreateRenderOptions(model) with { ParallelToolCalls = false };
}
