using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.Ollama;

public sealed class OllamaPlugin : IAnyClaudePlugin
{
    public string Name => "Ollama";

    public void Configure(IPluginBuilder plugin) => plugin.AddBackendFactory(new OllamaBackendFactory());
}

internal sealed class OllamaBackendFactory : IBackendFactory
{
    public string Kind => "ollama";

    public BackendDefaults? Defaults { get; } = new("ollama", new Uri("http://localhost:11434"), "OLLAMA_URL", "OLLAMA_API_KEY", "OLLAMA_MODEL");

    public IReadOnlyCollection<string> ExtraSettings => [OllamaBackend.KeepAliveSetting];

    public IBackend Create(BackendSettings settings, BackendServices services) => new OllamaBackend(settings, services);
}
