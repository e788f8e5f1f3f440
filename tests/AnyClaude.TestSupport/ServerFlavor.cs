namespace AnyClaude.TestSupport;

/// <summary>Which real server the fake imitates, quirks included (see protocol.md §3–§4).</summary>
public enum ServerFlavor
{
    /// <summary><c>mlx_lm.server</c>: 411 on chunked bodies, 404 for generation errors, whole tool calls, keepalive comments.</summary>
    MlxLm,

    /// <summary>LM Studio: <c>reasoning_content</c>, numeric tool-call ids with <c>"arguments":""</c> first, <c>/api/v0/models</c>.</summary>
    LmStudio,

    /// <summary>
    /// llama.cpp's <c>llama-server</c>: <c>/props</c>, <c>/slots</c>, <c>/apply-template</c>, <c>/tokenize</c>, <c>reasoning_content</c>,
    /// <c>timings</c> in the last chunks, <c>prompt_progress</c> chunks while it prefills when asked (<c>return_progress</c>), 500 "tools param requires --jinja flag" without tool support.
    /// </summary>
    LlamaCpp,

    /// <summary>
    /// vLLM: <c>max_model_len</c> in <c>/v1/models</c>, <c>/tokenize</c> of chat messages, <c>reasoning</c>, <c>chatcmpl-tool-…</c> ids, a 400
    /// naming <c>--enable-auto-tool-choice</c> for tools without tool support, <c>cached_tokens</c> only when enabled.
    /// </summary>
    Vllm,

    /// <summary>
    /// exo: a model list of every card (<c>context_length</c>, <c>capabilities</c>), running models in <c>/state/instances</c>,
    /// 404 "No instance found for model …", <c>: prefill_progress</c> comments, usage in the finishing chunk, whole tool
    /// calls, <c>reasoning_content</c>, <c>: generation_stats</c> with <c>prefix_cache_hit</c> after it.
    /// </summary>
    Exo,

    /// <summary>A llama.cpp / Ollama / vLLM-like server: <c>call_N</c> ids, finish_reason in its own chunk.</summary>
    Generic,
}
