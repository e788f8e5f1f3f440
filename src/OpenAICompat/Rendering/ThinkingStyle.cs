namespace AnyClaude.OpenAICompat.Rendering;

/// <summary>How a server takes the request's thinking setting.</summary>
public enum ThinkingStyle
{
    /// <summary>Not sent.</summary>
    None,

    /// <summary><c>chat_template_kwargs: {"enable_thinking": …}</c> (mlx-lm, llama.cpp, vLLM).</summary>
    ChatTemplateKwargs,

    /// <summary><c>reasoning_effort: "low" | "medium" | "high"</c> (LM Studio, Ollama).</summary>
    ReasoningEffort,
}
