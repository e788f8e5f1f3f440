using AnyClaude.TestSupport;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>Starts the fake server of each of anyclaude's seven default backend kinds.</summary>
internal static class KindFakes
{
    public static Task<IKindFake> StartAsync(string kind) => kind switch
    {
        "mlx-lm" => OpenAIKindFake.StartAsync(kind, ServerFlavor.MlxLm),
        "lmstudio" => OpenAIKindFake.StartAsync(kind, ServerFlavor.LmStudio),
        "llama-cpp" => OpenAIKindFake.StartAsync(kind, ServerFlavor.LlamaCpp),
        "vllm" => OpenAIKindFake.StartAsync(kind, ServerFlavor.Vllm),
        "exo" => OpenAIKindFake.StartAsync(kind, ServerFlavor.Exo),
        "ollama" => OllamaKindFake.StartAsync(),
        "anthropic" => AnthropicKindFake.StartAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a default backend kind"),
    };
}
