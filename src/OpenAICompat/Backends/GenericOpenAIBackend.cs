using AnyClaude.Abstractions.Backends;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.OpenAICompat.Backends;

/// <summary>
/// Any OpenAI-compatible server (llama.cpp, Ollama, vLLM, exo, …). Extra settings: <c>thinking</c>
/// (<c>chat_template_kwargs</c> | <c>reasoning_effort</c> | <c>none</c>) and <c>maxTokensField</c>.
/// </summary>
public sealed class GenericOpenAIBackend : OpenAICompatibleBackend
{
    public GenericOpenAIBackend(BackendSettings settings, BackendServices services)
        : base(settings, services, new BackendCapabilities { PromptCache = true })
    {
        ThinkingStyle = settings.Extra.GetValueOrDefault("thinking") switch
        {
            "reasoning_effort" => ThinkingStyle.ReasoningEffort,
            "none" => ThinkingStyle.None,
            _ => ThinkingStyle.ChatTemplateKwargs,
        };
        MaxTokensField = settings.Extra.GetValueOrDefault("maxTokensField") ?? "max_tokens";
    }

    protected override ThinkingStyle ThinkingStyle { get; }

    protected override string MaxTokensField { get; }

    protected override string StartHint => "is the OpenAI-compatible server (llama-server, ollama serve, vllm serve, …) running at that URL?";
}

public sealed class GenericOpenAIBackendFactory : IBackendFactory
{
    public string Kind => "openai";

    public BackendDefaults? Defaults { get; } = new("openai", new Uri("http://localhost:8000/v1"), "OPENAI_COMPAT_URL", "OPENAI_COMPAT_API_KEY", "OPENAI_COMPAT_MODEL");

    public IBackend Create(BackendSettings settings, BackendServices services) => new GenericOpenAIBackend(settings, services);

    public IReadOnlyCollection<string> ExtraSettings { get; } = ["thinking", "maxTokensField"];
}
