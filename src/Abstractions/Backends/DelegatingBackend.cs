using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Backends;

/// <summary>
/// A backend that wraps another and passes every member on to it: the base of a layer that changes one thing about a
/// backend (its event stream, its counts, its health) and leaves the rest alone. Override only what the layer changes;
/// members added to <see cref="IBackend"/> later are passed on here, so a layer never silently falls back to an
/// interface default instead of the inner backend's own answer. Stack layers with <see cref="BackendBuilder"/>.
/// </summary>
public abstract class DelegatingBackend : IBackend
{
    protected DelegatingBackend(IBackend innerBackend)
    {
        ArgumentNullException.ThrowIfNull(innerBackend);
        InnerBackend = innerBackend;
    }

    /// <summary>The backend this layer passes on to (itself possibly a layer).</summary>
    public IBackend InnerBackend { get; }

    public virtual string Name => InnerBackend.Name;

    public virtual BackendCapabilities Capabilities => InnerBackend.Capabilities;

    public virtual Uri BaseUrl => InnerBackend.BaseUrl;

    public virtual IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) =>
        InnerBackend.StreamAsync(request, call, cancellationToken);

    public virtual ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        InnerBackend.CountInputTokensAsync(request, cancellationToken);

    public virtual ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        InnerBackend.CountTokensAsync(request, cancellationToken);

    public virtual Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        InnerBackend.CheckHealthAsync(cancellationToken);

    public virtual Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) =>
        InnerBackend.ListModelsAsync(cancellationToken);

    public virtual Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken) =>
        InnerBackend.DiscoverCapabilitiesAsync(cancellationToken);
}
