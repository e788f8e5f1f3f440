using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Host.Streaming;

/// <summary>
/// Bounds how long a backend may take to produce its first event (an OpenAI-compatible backend yields
/// <c>message_start</c> as soon as the server has sent its response headers). Once that event arrives nothing
/// more is bounded: a prefill after the headers can take minutes, and keep-alives cover it.
/// </summary>
internal static class FirstEventTimeout
{
    public static async IAsyncEnumerable<MessageStreamEvent> StreamAsync(
        IBackend backend,
        MessagesRequest request,
        BackendCall call,
        TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var upstream = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        upstream.CancelAfter(timeout);
        var events = backend.StreamAsync(request, call, upstream.Token).GetAsyncEnumerator(upstream.Token);
        await using (events.ConfigureAwait(false))
        {
            bool first = true;
            while (true)
            {
                bool more;
                try
                {
                    more = await events.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (first && upstream.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw TimedOut(backend, timeout);
                }

                if (!more)
                {
                    yield break;
                }

                if (first)
                {
                    first = false;
                    upstream.CancelAfter(Timeout.InfiniteTimeSpan);
                    if (upstream.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                    {
                        throw TimedOut(backend, timeout);
                    }
                }

                yield return events.Current;
            }
        }
    }

    private static AnthropicException TimedOut(IBackend backend, TimeSpan timeout) => new(
        AnthropicErrorTypes.Timeout,
        $"backend '{backend.Name}' at {backend.BaseUrl} sent no response headers within {timeout.TotalSeconds:0.###} s "
        + "(firstByteTimeoutSeconds): is it stuck or busy with another request? If it is only slow to start answering, raise firstByteTimeoutSeconds",
        statusCode: 504,
        shouldRetry: false);
}
