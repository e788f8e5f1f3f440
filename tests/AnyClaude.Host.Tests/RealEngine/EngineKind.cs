namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>The backend kinds that can talk to a llama-server, and the URL each takes for it.</summary>
public enum EngineKind
{
    /// <summary><c>llama-cpp</c> (plugins/LlamaCpp): Chat Completions plus the server's own /props, /tokenize, slots.</summary>
    LlamaCpp,

    /// <summary>The built-in generic <c>openai</c> kind: Chat Completions only.</summary>
    OpenAI,

    /// <summary><c>anthropic</c> (plugins/AnthropicPassthrough): the server's own <c>/v1/messages</c>.</summary>
    Anthropic,
}
