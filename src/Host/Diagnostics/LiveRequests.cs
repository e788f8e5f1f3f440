using System.Collections.Concurrent;
using System.Diagnostics;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Host.Diagnostics;

/// <summary>The requests running now, for the dashboard: where each went, how long it has waited, whether it is generating yet.</summary>
internal sealed class LiveRequests
{
    private readonly ConcurrentDictionary<string, LiveRequest> _running = new(StringComparer.Ordinal);

    public LiveRequest Start(string id, string backend, string model, string requestClass)
    {
        var live = new LiveRequest(id, model, requestClass) { Backend = backend };
        _running[id] = live;
        return live;
    }

    public void End(LiveRequest live) => _running.TryRemove(live.Id, out _);

    public IReadOnlyList<LiveRequest> Snapshot() => [.. _running.Values.OrderBy(r => r.StartedAt)];
}

/// <summary>One running request; updated by the request's own observer, read by the dashboard's feed.</summary>
internal sealed class LiveRequest(string id, string model, string requestClass)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _deltas;
    private int _generating;

    public string Id { get; } = id;

    public string Model { get; } = model;

    public string Class { get; } = requestClass;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The backend trying it now (a fallback moves it).</summary>
    public volatile string Backend = "";

    public double ElapsedSeconds => Stopwatch.GetElapsedTime(_started).TotalSeconds;

    /// <summary>False while the backend prefills (no token yet).</summary>
    public bool Generating => Volatile.Read(ref _generating) == 1;

    /// <summary>Content deltas so far (about a token each).</summary>
    public int Deltas => Volatile.Read(ref _deltas);

    public void OnEvent(MessageStreamEvent streamEvent)
    {
        if (streamEvent is ContentBlockDeltaEvent)
        {
            Interlocked.Increment(ref _deltas);
            Volatile.Write(ref _generating, 1);
        }
    }
}
