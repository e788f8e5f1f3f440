namespace AnyClaude.TestSupport;

/// <summary>What the fake server reports about itself.</summary>
public sealed record FakeServerOptions
{
    /// <summary>
    /// Model ids the server serves. The first one is the "loaded" model. MlxLm answers only these (or
    /// <c>default_model</c>); LmStudio answers any name with the first model, like LM Studio with one model loaded.
    /// </summary>
    public IReadOnlyList<string> Models { get; init; } = ["fake-model"];

    /// <summary>
    /// Context length reported by LmStudio's <c>/api/v0/models</c>, Generic's and LlamaCpp's <c>/props</c> (the slot's <c>n_ctx</c>),
    /// Vllm's <c>max_model_len</c> (which it enforces) and Exo's card of a running model; null omits it.
    /// </summary>
    public int? ContextLength { get; init; } = 32768;

    /// <summary>
    /// LmStudio's <c>loaded_context_length</c> of the loaded model (the context it was loaded with, often less than
    /// <see cref="ContextLength"/>, its <c>max_context_length</c>); null omits it, as for a model that is not loaded.
    /// </summary>
    public int? LoadedContextLength { get; init; }

    /// <summary>
    /// Whether the model supports tools: LmStudio's <c>capabilities</c> lists <c>tool_use</c>; when false, Generic
    /// refuses requests carrying <c>tools</c> with a 400, like vLLM without <c>--enable-auto-tool-choice</c>; Vllm gives
    /// that exact 400 for tools with <c>tool_choice</c> auto; LlamaCpp's template caps say no and tools get its 500
    /// "tools param requires --jinja flag".
    /// </summary>
    public bool SupportsTools { get; init; } = true;

    /// <summary>llama.cpp's <c>total_slots</c> (<c>--parallel</c>) and its <c>/slots</c> list.</summary>
    public int Slots { get; init; } = 1;

    /// <summary>Whether the model takes images (llama.cpp's <c>modalities.vision</c>, exo's <c>vision</c> capability).</summary>
    public bool SupportsImages { get; init; }

    /// <summary>
    /// Whether usage carries <c>prompt_tokens_details.cached_tokens</c>; null is the flavor's default (LlamaCpp: no, its
    /// <c>timings</c> carry <c>cache_n</c>; Vllm: no, as without <c>--enable-prompt-tokens-details</c>; the others: yes).
    /// </summary>
    public bool? PromptTokensDetails { get; init; }

    /// <summary>
    /// Whether every request is kept (<see cref="FakeOpenAIServer.Requests"/>, <see cref="FakeOpenAIServer.WaitForChatRequestAsync"/>).
    /// Turn it off for load and soak runs; <see cref="FakeOpenAIServer.LastChatRequest"/> and the counters still work.
    /// </summary>
    public bool RecordRequests { get; init; } = true;
}
