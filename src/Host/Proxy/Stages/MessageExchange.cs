using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Proxy.Telemetry;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Stages;

/// <summary>
/// One request on its way through the stages of <see cref="ProxyPipelines"/> (YARP's per-request proxy feature): each
/// stage sets what the later ones read — the request and its bytes, the routing decision (which also holds the backend
/// that answered), what observes it, and the answer's events.
/// </summary>
internal sealed class MessageExchange(HttpContext context, bool countTokens)
{
    public HttpContext Context { get; } = context;

    public string RequestId { get; } = RequestIds.Get(context);

    /// <summary>Cancelled when the client goes: every stage passes it on, so upstream work stops with it.</summary>
    public CancellationToken Aborted => Context.RequestAborted;

    /// <summary><c>/v1/messages/count_tokens</c> rather than <c>/v1/messages</c>.</summary>
    public bool CountTokens { get; } = countTokens;

    /// <summary>Set by <see cref="ReadRequest"/>.</summary>
    public MessagesRequest Request { get; set; } = null!;

    /// <summary>The client's bytes, set by <see cref="ReadRequest"/> (a fallback parses them again).</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>Set by <see cref="RouteRequest"/>; <see cref="RoutedRequest.Backend"/> follows the backend answering.</summary>
    public RoutedRequest Routed
    {
        get => RoutedSoFar ?? throw new InvalidOperationException("a stage read the routing decision before RouteRequest");
        set => RoutedSoFar = value;
    }

    /// <summary>The routing decision, or null while the request is not routed yet (refused while being read).</summary>
    public RoutedRequest? RoutedSoFar { get; private set; }

    /// <summary>What goes to the backend and what it reports back; set by <see cref="ObserveRequest"/>.</summary>
    public BackendCall Call { get; set; } = null!;

    /// <summary>Set by <see cref="ObserveRequest"/>; null before it (a request refused earlier).</summary>
    public RequestObserver? Observer { get; set; }

    /// <summary>The answer's events, from the first stage that has them (a local answer, else the backends).</summary>
    public IAsyncEnumerable<MessageStreamEvent>? Answer { get; set; }
}
