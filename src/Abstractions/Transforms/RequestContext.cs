using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Abstractions.Transforms;

/// <summary>The request on its way to a backend, with the backend it goes to.</summary>
public sealed class RequestContext
{
    public RequestContext(MessagesRequest request, IBackend backend, BackendCall call)
    {
        Request = request;
        Backend = backend;
        Call = call;
    }

    public MessagesRequest Request { get; }

    public IBackend Backend { get; }

    public BackendCall Call { get; }

    public ILogger Logger => Call.Logger;
}
