using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Host.Pipelines;

/// <summary>A backend whose event stream goes through its response pipeline; everything else is the backend's own.</summary>
internal sealed class ResponsePipelineBackend(IBackend inner, ResponsePipeline pipeline) : DelegatingBackend(inner)
{
    public override IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) =>
        pipeline.Apply(InnerBackend.StreamAsync(request, call, cancellationToken), new ResponseContext(request, InnerBackend, call, cancellationToken));
}
