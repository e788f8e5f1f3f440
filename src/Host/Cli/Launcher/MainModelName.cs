



using AnyClaude.Host.Configuration;
using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Cli.Launcher;

/// <summary>The model name the launcher gives Claude Code for its main conversation (<c>ANTHROPIC_MODEL</c>).</summary>
internal static class MainModelName
{
    /// <summary>
    /// The default backend's model (configured, else as its server reports it; a llama.cpp model path by its file
    /// name); null (the launcher's neutral name) when there is none, or when it would read as a backend name to the
    /// router, which would pin every turn to that backend past a mode switch.
    /// </summary>
    public static string? For(AnyClaudeOptions options, string? model)
    {
        if (model is not null && model.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            model = Path.GetFileNameWithoutExtension(model.Replace('\\', '/').Split('/')[^1]);
        }

        var table = new RoutingTable(options.Mode, [], new Dictionary<string, IReadOnlyList<string>>(), [.. options.Backends.Keys]);
        return string.IsNullOrWhiteSpace(model) || table.BackendNamedModel(model) is not null ? null : model;
    }
}
