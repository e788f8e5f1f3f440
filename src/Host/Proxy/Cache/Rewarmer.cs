using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// With <c>rewarm: true</c>: after a side request (the safety classifier, a probe, a title or topic a model answered)
/// went to a backend with one cache slot, the conversation's last turn is sent again with <c>max_tokens: 1</c>, off
/// the critical path, so the server's cache holds the conversation's prefix again when the next turn comes.
/// A request that arrives during a rewarm gives way to it or stops it (<see cref="GiveWayAsync"/>): the same
/// conversation's next turn on the same backend waits for the rewarm, which is computing exactly the prefix that turn
/// needs (a cancelled prefill is lost on mlx-lm and blocks the slot until its batch ends on llama.cpp; see
/// docs/backends.md); any other request cancels it at once.
/// </summary>
internal sealed partial class Rewarmer(AnyClaudeOptions options, BackendRegistry backends, RequestPipelines pipelines, ILogger<Rewarmer> logger)
{
    /// <summary>A joining turn stops waiting when the rewarm has shown no progress (prefill report or stream event) for this long.</summary>
    internal static readonly TimeSpan JoinStall = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Body, string Conversation)> _lastTurn = new(StringComparer.OrdinalIgnoreCase);
    private RunningRewarm? _running;
    private int _count;
    private int _joined;

    /// <summary>Rewarms started so far (for tests and the log).</summary>
    public int Started => Volatile.Read(ref _count);

    /// <summary>Turns that waited for a rewarm of their own conversation instead of cancelling it.</summary>
    public int Joined => Volatile.Read(ref _joined);

    /// <summary>
    /// A real request is about to go out. The same conversation's turn on the rewarmed backend waits for the rewarm
    /// (bounded by <see cref="JoinStall"/> without progress and by the first-byte timeout); every other request
    /// cancels it. Returns early, without throwing, when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task GiveWayAsync(RoutedRequest routed, CancellationToken cancellationToken)
    {
        RunningRewarm? running;
        lock (_gate)
        {
            running = _running;
        }

        if (running is null)
        {
            return;
        }

        bool sameConversation = RequestClasses.IsConversation(routed.Class)
            && string.Equals(routed.Backend, running.Backend, StringComparison.OrdinalIgnoreCase)
            && string.Equals(routed.AffinityKey, running.Conversation, StringComparison.Ordinal);
        if (!sameConversation)
        {
            Stop(running);
            return;
        }

        Interlocked.Increment(ref _joined);
        LogJoining(logger, running.Id, running.Backend, running.Conversation);
        if (!await running.JoinAsync(JoinStall, options.FirstByteTimeout, cancellationToken).ConfigureAwait(false))
        {
            LogJoinGaveUp(logger, running.Id, running.Backend);
            Stop(running);
        }
    }

    /// <summary>A request finished on <paramref name="backend"/>: a turn is remembered; after a side request the last turn is rewarmed.</summary>
    public void Finished(RoutedRequest routed, ReadOnlyMemory<byte> body, int status)
    {
        if (!options.Rewarm || status != 200 || routed.Backend == LocalSideAnswers.Backend)
        {
            return;
        }

        if (RequestClasses.IsConversation(routed.Class))
        {
            lock (_gate)
            {
                _lastTurn[routed.Backend] = (body.ToArray(), routed.AffinityKey);
            }

            return;
        }

        if (routed.Class is RequestClass.Count)
        {
            return;
        }

        (byte[] Body, string Conversation) turn;
        RunningRewarm running;
        RunningRewarm? previous;
        lock (_gate)
        {
            if (!_lastTurn.TryGetValue(routed.Backend, out turn))
            {
                return;
            }

            previous = _running;
            running = new RunningRewarm($"rewarm-{Guid.NewGuid():N}"[..15], routed.Backend, turn.Conversation);
            _running = running;
        }

        previous?.Cancel.Cancel();
        Interlocked.Increment(ref _count);
        _ = Task.Run(() => RewarmAsync(running, turn.Body), CancellationToken.None);
    }

    private void Stop(RunningRewarm running)
    {
        lock (_gate)
        {
            if (_running == running)
            {
                _running = null;
            }
        }

        running.Cancel.Cancel();
    }

    private async Task RewarmAsync(RunningRewarm running, byte[] body)
    {
        var cancellationToken = running.Cancel.Token;
        try
        {
            var backend = backends.Get(running.Backend);
            if (backend.Capabilities.Slots is > 1)
            {
                return; // Side requests have a slot of their own there.
            }

            var request = MessagesRequestReader.Parse(body, options.Limits.MaxJsonDepth);
            request.MaxTokens = 1;
            request.Stream = true;
            var call = new BackendCall(running.Id, logger)
            {
                RequestClass = RequestClasses.NameOf(RequestClass.Turn),
                ConversationKey = running.Conversation,
                OnPrefillProgress = (_, _) => running.Progressed(),
            };
            await pipelines.For(backend).ApplyAsync(new Abstractions.Transforms.RequestContext(request, backend, call), cancellationToken).ConfigureAwait(false);
            await foreach (var _ in backend.StreamAsync(request, call, cancellationToken).ConfigureAwait(false))
            {
                running.Progressed();
            }

            LogRewarmed(logger, running.Id, running.Backend, running.Conversation);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogInterrupted(logger, running.Id, running.Backend);
        }
        catch (Exception exception)
        {
            LogFailed(logger, running.Id, running.Backend, exception.Message);
        }
        finally
        {
            lock (_gate)
            {
                if (_running == running)
                {
                    _running = null;
                }
            }

            running.Finish();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: rewarmed the prompt of {Conversation} after a side request")]
    private static partial void LogRewarmed(ILogger logger, string proxyRequestId, string backend, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: rewarm cancelled, a request of another conversation or class arrived")]
    private static partial void LogInterrupted(ILogger logger, string proxyRequestId, string backend);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: the next turn of {Conversation} waits for the rewarm of its prefix")]
    private static partial void LogJoining(ILogger logger, string proxyRequestId, string backend, string conversation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend}: the rewarm made no progress; the waiting turn cancels it and goes on")]
    private static partial void LogJoinGaveUp(ILogger logger, string proxyRequestId, string backend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend}: rewarm failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string proxyRequestId, string backend, string error);
}
