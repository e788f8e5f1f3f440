using System.Collections.Concurrent;
using System.Diagnostics;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Proxy.Telemetry;

/// <summary>The requests running now, for the dashboard: where each went, how long it has waited, whether it is generating yet.</summary>
internal sealed class LiveRequests
{
    private readonly ConcurrentDictionary<string, LiveRequest> _running = new(StringComparer.Ordinal);

    public LiveRequest Start(string id, RoutedRequest routed, string model)
    {
        var live = new LiveRequest(id, routed, model);
        _running[id] = live;
        return live;
    }

    public void End(LiveRequest live) => _running.TryRemove(live.Id, out _);

    public IReadOnlyList<LiveRequest> Snapshot() => [.. _running.Values.OrderBy(r => r.StartedAt)];
}

/// <summary>One running request; updated by the request's own observer, read by the dashboard's feed.</summary>
internal sealed class LiveRequest(string id, RoutedRequest routed, string model)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private int _deltas;
    private int _generating;
    private long _prefill;
    private long _lastProgressLog;

    public string Id { get; } = id;

    public string Model { get; } = model;

    public string Class { get; } = routed.ClassName;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The backend trying it now (a fallback moves it).</summary>
    public string Backend => routed.Backend;

    public double ElapsedSeconds => Stopwatch.GetElapsedTime(_started).TotalSeconds;

    /// <summary>False while the backend prefills (no token yet).</summary>
    public bool Generating => Volatile.Read(ref _generating) == 1;

    /// <summary>Content deltas so far (about a token each).</summary>
    public int Deltas => Volatile.Read(ref _deltas);

    /// <summary>The backend's last prefill report: prompt tokens done and total; null before any (or for servers that send none).</summary>
    public (int Done, int Total)? Prefill => Interlocked.Read(ref _prefill) is var packed and not 0 ? ((int)(packed >> 32), (int)(packed & 0xFFFF_FFFF)) : null;

    /// <summary>Records a prefill report; true when it is worth a log line (the first, the last, and one every 2 s between).</summary>
    public bool OnPrefillProgress(int done, int total)
    {
        Interlocked.Exchange(ref _prefill, ((long)done << 32) | (uint)total);
        long now = Stopwatch.GetTimestamp();
        long last = Interlocked.Read(ref _lastProgressLog);
        if (last != 0 && done < total && Stopwatch.GetElapsedTime(last, now) < TimeSpan.FromSeconds(2))
        {
            return false;
        }

        Interlocked.Exchange(ref _lastProgressLog, now);
        return true;
    }

    public void OnEvent(MessageStreamEvent streamEvent)
    {
        if (streamEvent is ContentBlockDeltaEvent)
        {
            Interlocked.Increment(ref _deltas);
            Volatile.Write(ref _generating, 1);
        }
    }
}
