namespace AnyClaude.TestSupport;

/// <summary>Which real server the fake imitates, quirks included (see protocol.md §3–§4).</summary>
public enum ServerFlavor
{
    /// <summary><c>mlx_lm.server</c>: 411 on chunked bodies, 404 for generation errors, whole tool calls, keepalive comments.</summary>
    MlxLm,

    /// <summary>LM Studio: <c>reasoning_content</c>, numeric tool-call ids with <c>"arguments":""</c> first, <c>/api/v0/models</c>.</summary>
    LmStudio,

    /// <summary>A llama.cpp / Ollama / vLLM-like server: <c>call_N</c> ids, finish_reason in its own chunk.</summary>
    Generic,
}
