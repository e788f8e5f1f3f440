using System.Collections.Concurrent;
using System.Diagnostics;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// With <c>prewarm</c> on (the default): remembers, per backend and Claude Code version, the prompt heads worth keeping
/// warm (a first turn's system prompt, tools and leading system reminders, the safety classifier's prompt;
/// <see cref="WarmPrefixStore"/>), and
/// sends each again as a <c>max_tokens: 1</c> request when anyclaude starts and when the backend's health goes from
/// down to up (its server restarted), one at a time and only while the backend has nothing else to do. A warm-up is the
/// lowest priority: a request that shares its head waits for it (it is prefilling exactly what that request needs), any
/// other request that it would hold up (one slot, or every slot taken) cancels it, and it is tried again once the
/// backend has been idle for <see cref="Quiet"/>, never while a request is on its way, queued or in flight
/// (<see cref="GiveWayAsync"/>). On a multi-slot llama-server the slot plan puts the head and the
/// classifier's prompt on different slots (a warm-up carries no conversation key, so it takes no slot from one).
/// </summary>
internal sealed partial class Prewarmer(
    AnyClaudeOptions options,
    BackendRegistry backends,
    BackendHealthTracker health,
    BackendQueues queues,
    ILogger<Prewarmer> logger) : BackgroundService
{
    /// <summary>How often the backends' health is looked at for a down → up change.</summary>
    internal static readonly TimeSpan HealthLook = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a backend must have been idle, since its last request arrived or was seen running, before a warm-up
    /// starts (or resumes after a request cancelled it): a request that cancelled a warm-up is on its way to the
    /// backend's queue, and Claude Code's next request usually follows its previous one within a second.
    /// </summary>
    internal static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    private const int TriesPerPrefix = 3;
    private static readonly TimeSpan IdleLook = TimeSpan.FromMilliseconds(200);

    private readonly WarmPrefixStore _store = new(options.Prewarm ? options.WarmDirectory : null);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (RunningRewarm Running, byte[] Head)> _running = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _warming = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> _warm = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, long> _lastBusy = new(StringComparer.OrdinalIgnoreCase);
    private CancellationToken _stopping;
    private int _sent;
    private int _cancelled;
    private int _joined;

    public WarmPrefixStore Store => _store;

    /// <summary>Warm-up requests sent so far.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Warm-ups a request that did not share them cancelled.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    /// <summary>Requests that waited for a warm-up of their own head.</summary>
    public int Joined => Volatile.Read(ref _joined);

    /// <summary>What the last warm-ups of <paramref name="backend"/> left warm: kind and the server's prompt tokens.</summary>
    public IReadOnlyList<(string Kind, int Tokens)> WarmOf(string backend) =>
        _warm.TryGetValue(backend, out var kinds)
            ? [.. kinds.Select(k => (k.Key, k.Value)).OrderBy(k => WarmKinds.Order(k.Key))]
            : [];

    /// <summary>
    /// A request went to <paramref name="backend"/> and the server answered: a session's first turn's head or the
    /// classifier's is kept for the next start (written only when it changed). <paramref name="request"/> is as the backend received it.
    /// </summary>
    public void Remember(string backend, MessagesRequest request, RoutedRequest routed)
    {
        if (!_store.Enabled || routed.ClaudeCodeVersion is not { } version)
        {
            return;
        }

        // A session's first turn (no answer yet) has the head every session starts with; later turns may carry tools
        // ToolSearch loaded, which the next session's first turn does not.
        string? kind = routed.Class switch
        {
            RequestClass.Turn when !request.Messages.Exists(m => m.Role == MessageRoles.Assistant) => WarmKinds.Head,
            RequestClass.Classifier => WarmKinds.Classifier,
            _ => null,
        };
        if (kind is null || (request.System is not { Count: > 0 } && request.Tools is not { Count: > 0 }))
        {
            return;
        }

        try
        {
            bool withLead = kind == WarmKinds.Head;
            if (_store.Put(backend, version, kind, () => WarmRequests.From(request, withLead), WarmRequests.HeadOf(request, withLead), routed.Model))
            {
                LogRemembered(logger, backend, kind, version, _store.PathOf(backend)!);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogNotKept(logger, backend, _store.PathOf(backend)!, exception.Message);
        }
    }

    /// <summary>
    /// A request (as <paramref name="backend"/> will receive it, its place in the backend's queue taken) is about to go
    /// out: it waits for a warm-up of its own head
    /// (while that makes progress), cancels one it would otherwise wait behind, and leaves one alone that holds a slot it
    /// does not need. Returns early, without throwing, when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task GiveWayAsync(string name, IBackend backend, MessagesRequest request, CancellationToken cancellationToken)
    {
        if (_store.Enabled)
        {
            _lastBusy[name] = Stopwatch.GetTimestamp();
        }

        (RunningRewarm Running, byte[] Head) warmUp;
        lock (_gate)
        {
            if (!_running.TryGetValue(name, out warmUp))
            {
                return;
            }
        }

        var running = warmUp.Running;
        if (!WarmRequests.HeadOf(request, withLead: running.Conversation == WarmKinds.Head).AsSpan().SequenceEqual(warmUp.Head))
        {
            if (Blocks(name, backend))
            {
                LogGaveWay(logger, running.Id, name, running.Conversation);
                Interlocked.Increment(ref _cancelled);
                running.Cancel.Cancel();
            }

            return;
        }

        Interlocked.Increment(ref _joined);
        LogJoining(logger, running.Id, name, running.Conversation);
        if (!await running.JoinAsync(Rewarmer.JoinStall, options.FirstByteTimeout, cancellationToken).ConfigureAwait(false))
        {
            running.Cancel.Cancel();
        }
    }

    /// <summary>Warms every backend's remembered prefixes, in the background.</summary>
    private void WarmAll()
    {
        foreach (var backend in backends.All)
        {
            Warm(backend.Name);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_store.Enabled)
        {
            return;
        }

        _stopping = stoppingToken;
        await Task.Yield();
        WarmAll();
        var last = new Dictionary<string, BackendHealthState>(StringComparer.OrdinalIgnoreCase);
        using var timer = new PeriodicTimer(HealthLook);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var backend in backends.All)
                {
                    var now = health.Snapshot(backend.Name).Health;
                    if (last.TryGetValue(backend.Name, out var before) && before == BackendHealthState.Down && now == BackendHealthState.Up)
                    {
                        LogBackUp(logger, backend.Name);
                        Warm(backend.Name);
                    }

                    last[backend.Name] = now;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Warm(string name)
    {
        if (!_store.Enabled || _store.Load(name).Prefixes.Count == 0 || !_warming.TryAdd(name, 0))
        {
            return;
        }

        _ = Task.Run(() => WarmBackendAsync(name, _stopping), CancellationToken.None);
    }

    /// <summary>
    /// Whether a warm-up on <paramref name="name"/> holds up the request asking (already counted in the backend's queue):
    /// one slot, or no slot left beside it.
    /// </summary>
    private bool Blocks(string name, IBackend backend)
    {
        if (backend.Capabilities.Slots is not (> 1 and var slots))
        {
            return true;
        }

        int capacity = BackendQueues.LimitOf(backends.SettingsOf(name), backend) ?? slots;
        var queue = queues.Snapshot(name);
        return queue.Running + queue.Waiting + 1 > capacity;
    }

    private async Task WarmBackendAsync(string name, CancellationToken stopping)
    {
        try
        {
            _warm.TryRemove(name, out _);
            var file = _store.Load(name);
            foreach (string kind in WarmKinds.All)
            {
                if (!file.Prefixes.TryGetValue(kind, out var prefix))
                {
                    continue;
                }

                for (int tries = 0; tries < TriesPerPrefix; tries++)
                {
                    var outcome = await WarmOneAsync(name, prefix, stopping).ConfigureAwait(false);
                    if (outcome == Outcome.Failed)
                    {
                        return; // The server is down or refuses it: the next down → up change tries again.
                    }

                    if (outcome == Outcome.Warm)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            _warming.TryRemove(name, out _);
        }
    }

    private async Task<Outcome> WarmOneAsync(string name, WarmPrefix prefix, CancellationToken stopping)
    {
        var running = new RunningRewarm($"prewarm-{Guid.NewGuid():N}"[..16], name, prefix.Kind);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, running.Cancel.Token);
        try
        {
            // Quiet first, then registered (so a request that comes now sees it), then quiet still (none slipped in between).
            while (true)
            {
                await WaitIdleAsync(name, stopping).ConfigureAwait(false);
                lock (_gate)
                {
                    _running[name] = (running, prefix.Head);
                }

                if (IsQuiet(name))
                {
                    break;
                }

                Unregister(name, running);
            }

            var backend = backends.Get(name);
            var request = MessagesRequestReader.Parse(prefix.Request, options.Limits.MaxJsonDepth);
            var call = new BackendCall(running.Id, logger)
            {
                RequestClass = prefix.Kind == WarmKinds.Classifier ? RequestClasses.NameOf(RequestClass.Classifier) : RequestClasses.NameOf(RequestClass.Turn),
                OnPrefillProgress = (_, _) => running.Progressed(),
                Model = prefix.Model,
            };
            Interlocked.Increment(ref _sent);
            LogWarming(logger, running.Id, name, prefix.Kind);
            int tokens = 0;
            await foreach (var item in backend.StreamAsync(request, call, linked.Token).ConfigureAwait(false))
            {
                running.Progressed();
                if (item is MessageDeltaEvent delta)
                {
                    tokens = delta.Usage.InputTokens + delta.Usage.CacheReadInputTokens;
                }
            }

            _warm.GetOrAdd(name, _ => new ConcurrentDictionary<string, int>(StringComparer.Ordinal))[prefix.Kind] = tokens;
            LogWarmed(logger, running.Id, name, prefix.Kind, tokens);
            return Outcome.Warm;
        }
        catch (OperationCanceledException) when (running.Cancel.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return Outcome.Cancelled;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, running.Id, name, prefix.Kind, exception.Message);
            return Outcome.Failed;
        }
        finally
        {
            Unregister(name, running);
            running.Finish();
        }
    }

    /// <summary>Until the backend has had nothing to do for <see cref="Quiet"/> (at once when it has been idle since it was last asked).</summary>
    private async Task WaitIdleAsync(string name, CancellationToken stopping)
    {
        while (true)
        {
            if (!IsIdle(name))
            {
                _lastBusy[name] = Stopwatch.GetTimestamp();
            }
            else if (IsQuiet(name))
            {
                return;
            }

            await Task.Delay(IdleLook, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>Idle, and no request arrived or was seen running for <see cref="Quiet"/>.</summary>
    private bool IsQuiet(string name) =>
        IsIdle(name) && (!_lastBusy.TryGetValue(name, out long busy) || Stopwatch.GetElapsedTime(busy) >= Quiet);

    private bool IsIdle(string name)
    {
        var queue = queues.Snapshot(name);
        return queue.Running == 0 && queue.Waiting == 0 && health.Snapshot(name).InFlight == 0;
    }

    private void Unregister(string name, RunningRewarm running)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(name, out var current) && current.Running == running)
            {
                _running.Remove(name);
            }
        }
    }

    private enum Outcome
    {
        Warm,
        Cancelled,
        Failed,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Backend}: kept the {Kind} prefix of Claude Code {Version} for the next start ({Path})")]
    private static partial void LogRemembered(ILogger logger, string backend, string kind, string version, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Backend}: cannot keep the prefixes to warm in {Path}: {Error}")]
    private static partial void LogNotKept(ILogger logger, string backend, string path, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: warming the {Kind} prefix")]
    private static partial void LogWarming(ILogger logger, string proxyRequestId, string backend, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: {Kind} prefix warm ({Tokens} prompt tokens)")]
    private static partial void LogWarmed(ILogger logger, string proxyRequestId, string backend, string kind, int tokens);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: warm-up of the {Kind} prefix cancelled, a request that does not share it arrived")]
    private static partial void LogGaveWay(ILogger logger, string proxyRequestId, string backend, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ProxyRequestId} {Backend}: a request waits for the warm-up of its {Kind} prefix")]
    private static partial void LogJoining(ILogger logger, string proxyRequestId, string backend, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Backend} is up again: warming its remembered prefixes")]
    private static partial void LogBackUp(ILogger logger, string backend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} {Backend}: warm-up of the {Kind} prefix failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string proxyRequestId, string backend, string kind, string error);
}
