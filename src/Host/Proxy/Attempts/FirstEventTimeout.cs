using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Host.Proxy.Attempts;

/// <summary>
/// Bounds how long a backend may take to produce its first event (an OpenAI-compatible backend yields
/// <c>message_start</c> as soon as the server has sent its response headers). Once that event arrives nothing
/// more is bounded: a prefill after the headers can take minutes, and keep-alives cover it. After the first event
/// the backend's own enumerator is called directly: a stream is one event per token, and another async iterator in
/// between would cost a state machine step for each. A backend layer: everything but the stream is the inner backend's.
/// </summary>
internal sealed class FirstEventTimeout(IBackend inner, TimeSpan timeout) : DelegatingBackend(inner)
{
    public override IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) =>
        new Events(InnerBackend, request, call, timeout, cancellationToken);

    private static AnthropicException TimedOut(IBackend backend, TimeSpan timeout) => new(
        AnthropicErrorTypes.Timeout,
        $"backend '{backend.Name}' at {backend.BaseUrl} sent no response headers within {timeout.TotalSeconds:0.###} s "
        + "(firstByteTimeoutSeconds): is it stuck or busy with another request? If it is only slow to start answering, raise firstByteTimeoutSeconds",
        statusCode: 504,
        shouldRetry: false);

    private sealed class Events(IBackend backend, MessagesRequest request, BackendCall call, TimeSpan timeout, CancellationToken cancellationToken)
        : IAsyncEnumerable<MessageStreamEvent>
    {
        public IAsyncEnumerator<MessageStreamEvent> GetAsyncEnumerator(CancellationToken enumeratorToken = default) =>
            new Enumerator(backend, request, call, timeout, cancellationToken, enumeratorToken);
    }

    private sealed class Enumerator : IAsyncEnumerator<MessageStreamEvent>
    {
        private readonly IBackend _backend;
        private readonly TimeSpan _timeout;
        private readonly CancellationToken _requestAborted;
        private readonly CancellationToken _enumeratorToken;
        private readonly CancellationTokenSource _upstream;
        private readonly IAsyncEnumerator<MessageStreamEvent> _events;
        private bool _first = true;

        public Enumerator(IBackend backend, MessagesRequest request, BackendCall call, TimeSpan timeout, CancellationToken cancellationToken, CancellationToken enumeratorToken)
        {
            _backend = backend;
            _timeout = timeout;
            _upstream = enumeratorToken.CanBeCanceled && enumeratorToken != cancellationToken
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, enumeratorToken)
                : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _requestAborted = cancellationToken;
            _enumeratorToken = enumeratorToken;
            _upstream.CancelAfter(timeout);
            _events = backend.StreamAsync(request, call, _upstream.Token).GetAsyncEnumerator(_upstream.Token);
        }

        public MessageStreamEvent Current => _events.Current;

        public ValueTask<bool> MoveNextAsync() => _first ? FirstAsync() : _events.MoveNextAsync();

        public async ValueTask DisposeAsync()
        {
            await _events.DisposeAsync().ConfigureAwait(false);
            _upstream.Dispose();
        }

        /// <summary>The timer, not the caller, cancelled the upstream work.</summary>
        private bool TimedOutNow => _upstream.IsCancellationRequested && !_requestAborted.IsCancellationRequested && !_enumeratorToken.IsCancellationRequested;

        private async ValueTask<bool> FirstAsync()
        {
            bool more;
            try
            {
                more = await _events.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (TimedOutNow)
            {
                throw TimedOut(_backend, _timeout);
            }

            if (more)
            {
                _first = false;
                _upstream.CancelAfter(Timeout.InfiniteTimeSpan);
                if (TimedOutNow)
                {
                    throw TimedOut(_backend, _timeout);
                }
            }

            return more;
        }
    }
}
