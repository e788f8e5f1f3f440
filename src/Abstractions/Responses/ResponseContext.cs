using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Abstractions.Responses;

/// <summary>The answer on its way back: the request it answers (after the request pipeline) and the backend that gives it.</summary>
public sealed class ResponseContext
{
    public ResponseContext(MessagesRequest request, IBackend backend, BackendCall call, CancellationToken cancellationToken)
    {
        Request = request;
        Backend = backend;
        Call = call;
        CancellationToken = cancellationToken;
    }

    public MessagesRequest Request { get; }

    public IBackend Backend { get; }

    public BackendCall Call { get; }

    /// <summary>Cancelled when the client goes or the upstream call is abandoned.</summary>
    public CancellationToken CancellationToken { get; }

    public ILogger Logger => Call.Logger;

    /// <summary>Tells the user something about this answer (logged once per request as a warning).</summary>
    public void Warn(string warning) => Call.Warnings.Add(warning);
}
