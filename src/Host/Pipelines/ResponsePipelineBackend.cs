using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Host.Pipelines;

/// <summary>A backend whose event stream goes through its response pipeline; everything else is the backend's own.</summary>
internal sealed class ResponsePipelineBackend(IBackend inner, ResponsePipeline pipeline) : IBackend
{
    public IBackend Inner { get; } = inner;

    public string Name => Inner.Name;

    public BackendCapabilities Capabilities => Inner.Capabilities;

    public Uri BaseUrl => Inner.BaseUrl;

    public IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) =>
        pipeline.Apply(Inner.StreamAsync(request, call, cancellationToken), new ResponseContext(request, Inner, call, cancellationToken));

    public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) => Inner.CountInputTokensAsync(request, cancellationToken);

    public ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken) => Inner.CountTokensAsync(request, cancellationToken);

    public Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken) => Inner.DiscoverCapabilitiesAsync(cancellationToken);

    public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) => Inner.CheckHealthAsync(cancellationToken);

    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) => Inner.ListModelsAsync(cancellationToken);
}
