using Microsoft.Extensions.Logging;

namespace AnyClaude.Abstractions.Backends;

/// <summary>Per-request context handed to a backend.</summary>
public sealed class BackendCall
{
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
}
