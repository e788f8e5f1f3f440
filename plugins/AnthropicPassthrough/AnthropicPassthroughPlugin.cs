using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.AnthropicPassthrough;

public sealed class AnthropicPassthroughPlugin : IAnyClaudePlugin
{
    public string Name => "AnthropicPassthrough";

    public void Configure(IPluginBuilder plugin) => plugin.AddBackendFactory(new AnthropicPassthroughBackendFactory());
}

internal sealed class AnthropicPassthroughBackendFactory : IBackendFactory
{
    public string Kind => "anthropic";

    // Not ANTHROPIC_URL/ANTHROPIC_API_KEY/ANTHROPIC_MODEL: those are Claude Code's own, and the user's real API key
    // must never be sent to a local server.
    public BackendDefaults? Defaults { get; } = new(
        "anthropic",
        new Uri("http://localhost:8090"),
        "ANTHROPIC_PASSTHROUGH_URL",
        "ANTHROPIC_PASSTHROUGH_API_KEY",
        "ANTHROPIC_PASSTHROUGH_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new AnthropicPassthroughBackend(settings, services);
}
