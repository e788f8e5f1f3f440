using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Plugins;

namespace AnyClaude.Plugins.LlamaCpp;

public sealed class LlamaCppPlugin : IAnyClaudePlugin
{
    public string Name => "LlamaCpp";

    public void Configure(IPluginBuilder plugin) => plugin.AddBackendFactory(new LlamaCppBackendFactory());
}

/// <summary>
/// Backends of kind <c>llama-cpp</c>. Unconfigured, one named <c>llama-cpp</c> at port 8090: <c>llama-server</c>'s own
/// default port, 8080, is anyclaude's too, so the default never silently points at the proxy.
/// </summary>
internal sealed class LlamaCppBackendFactory : IBackendFactory
{
    public string Kind => "llama-cpp";

    public BackendDefaults? Defaults { get; } = new(
        "llama-cpp", new Uri("http://localhost:8090/v1"), "LLAMA_CPP_URL", "LLAMA_CPP_API_KEY", "LLAMA_CPP_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new LlamaCppBackend(settings, services);

    public IReadOnlyCollection<string> ExtraSettings { get; } = [LlamaCppBackend.IdSlotSetting];
}
