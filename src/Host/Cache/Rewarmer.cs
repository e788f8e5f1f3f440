using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Routing;
using AnyClaude.Host.Transforms;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Cache;

/// <summary>
/// With <c>rewarm: true</c>: after a side request (the safety classifier, a probe, a title or topic a model answered)
/// went to a backend with one cache slot, the conversation's last turn is sent again with <c>max_tokens: 1</c>, off
/// the critical path, so the server's cache holds the conversation's prefix again when the next turn comes. Any real
/// request cancels a rewarm in progress at once (its prefill gives way).
/// </summary>
internal sealed partial class Rewarmer(AnyClaudeOptions options, BackendRegistry backends, RequestPipelines pipelines, ILogger<Rewarmer> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (byte[] Body, string Conversation)> _lastTurn = new(StringComparer.OrdinalIgnoreCase);
    private CancellationTokenSource? _running;
    private int _count;

    /// <summary>Rewarms started so far (for tests and the log).</summary>
    public int Started => Volatile.Read(ref _count);

    /// <summary>A real request arrived: whatever rewarm is running stops.</summary>
    public void Interrupt()
    {
        CancellationTokenSource? running;
        lock (_gate)
        {
            running = _running;
            _running = null;
        }

        running?.Cancel();
    }

    /// <summary>A request finished on <paramref name="backend"/>: a turn is remembered; after a side request the last turn is rewarmed.</summary>
    public void Finished(RoutedRequest routed, ReadOnlyMemory<byte> body, int status)
    {
        if (!options.Rewarm || status != 200 || routed.Backend == LocalSideAnswers.Backend)
        {
            return;
        }

        if (routed.Class is RequestClass.Turn or RequestClass.Compaction)
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
        var cancel = new CancellationTokenSource();
        lock (_gate)
        {
            if (!_lastTurn.TryGetValue(routed.Backend, out turn))
            {
                return;
            }

            _running?.Cancel();
            _running = cancel;
        }

        Interlocked.Increment(ref _count);
        _ = Task.Run(() => RewarmAsync(routed.Backend, turn.Body, turn.Conversation, cancel.Token), CancellationToken.None);
    }

    private async Task RewarmAsync(string name, byte[] body, string conversation, CancellationToken cancellationToken)
    {
        string id = $"rewarm-{Guid.NewGuid():N}"[..15];
        try
        {
            var backend = backends.Get(name);
            if (backend.Capabilities.Slots is > 1)
            {
                return; // Side requests have a slot of their own there.
            }

            var request = MessagesRequestReader.Parse(body, options.Limits.MaxJsonDepth);
            request.MaxTokens = 1;
            request.Stream = true;
            var call = new BackendCall(id, logger) { RequestClass = RequestClasses.NameOf(RequestClass.Turn), ConversationKey = conversation };
            await pipelines.For(backend).ApplyAsync(new Abstractions.Transforms.RequestContext(request, backend, call), cancellationToken).ConfigureAwait(false);
            await foreach (var _ in backend.StreamAsync(request, call, cancellationToken).ConfigureAwait(false))
            {
            }

            LogRewarmed(logger, id, name, conversation);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogInterrupted(logger, id, name);
        }
        catch (Exception exception)
        {
            LogFailed(logger, id, name, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: rewarmed the prompt of {Conversation} after a side request")]
    private static partial void LogRewarmed(ILogger logger, string proxyRequestId, string backend, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: rewarm cancelled, a request arrived")]
    private static partial void LogInterrupted(ILogger logger, string proxyRequestId, string backend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend}: rewarm failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string proxyRequestId, string backend, string error);
}
