using Microsoft.Extensions.Logging;

namespace AnyClaude.Abstractions.Backends;

/// <summary>Per-request context handed to a backend.</summary>
public sealed class BackendCall
{
    private string? _conversationKey;
    private Func<string>? _conversationKeySource;

    public BackendCall(string requestId, ILogger logger)
    {
        RequestId = requestId;
        Logger = logger;
    }

    public string RequestId { get; }

    public ILogger Logger { get; }

    /// <summary>Things the user should know about this request (an image dropped for a text-only model, …).</summary>
    public IList<string> Warnings { get; } = new List<string>();

    /// <summary>The upstream request body exactly as sent, when the host asks for it (traces).</summary>
    public Action<ReadOnlyMemory<byte>>? OnUpstreamBody { get; init; }

    /// <summary>
    /// Where a backend reports its server's prefill progress while the prompt is processed: prompt tokens done, of the
    /// total (mlx-lm's <c>: keepalive N/M</c> comments). Null when the host does not ask.
    /// </summary>
    public Action<int, int>? OnPrefillProgress { get; init; }

    /// <summary>
    /// The upstream model: set by the host when a route or a <c>backend/model</c> name chose one (the backend asks for
    /// it instead of its own choice); a backend that picked its own sets it, so the host can report which answered.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>
    /// What the request is for, as the host classified it (<c>turn</c>, <c>compaction</c>, <c>subagent</c>,
    /// <c>workflow</c>, <c>auxiliary</c>, <c>title</c>, <c>topic</c>, <c>probe</c>, <c>classifier</c>): a server with
    /// several cache slots can keep each class on its own. A subagent and a workflow are conversations of their own
    /// (with their own <see cref="ConversationKey"/>); an auxiliary request is one of Claude Code's helper calls, which may
    /// share the conversation's prefix (its key then equals the conversation's).
    /// </summary>
    public string? RequestClass { get; init; }

    /// <summary>Which conversation the request belongs to (a session id or a prefix hash): the key for cache affinity.</summary>
    public string? ConversationKey
    {
        get
        {
            if (_conversationKey is null && _conversationKeySource is { } source)
            {
                _conversationKey = source();
                _conversationKeySource = null;
            }

            return _conversationKey;
        }

        init => _conversationKey = value;
    }

    /// <summary>
    /// Where <see cref="ConversationKey"/> comes from when it is first read: the host's key hashes the prompt's whole
    /// prefix (~100 µs for a Claude Code turn), which only some backends read before they send (a pool, llama.cpp's
    /// slots); the others leave it to after the answer, off the way to its first token.
    /// </summary>
    internal Func<string>? ConversationKeySource
    {
        init => _conversationKeySource = value;
    }

    /// <summary>
    /// The prompt's size in tokens as the host counted it for this backend before the call (its pre-flight count against
    /// the context window), when it did: a backend reports it in <c>message_start</c> rather than count again.
    /// </summary>
    public int? PromptTokens { get; set; }

    /// <summary>The server's cache slot the backend pinned this request to (llama.cpp's <c>id_slot</c>), when it did.</summary>
    public int? Slot { get; set; }

    /// <summary>The destination that answered, when the backend is a pool of several.</summary>
    public Uri? Destination { get; set; }

    /// <summary>Why the backend put the request where it did (<c>affinity</c>, <c>least-loaded</c>, <c>failover</c>), when it chose.</summary>
    public string? Placement { get; set; }
}
