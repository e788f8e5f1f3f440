using System.Diagnostics;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>One rewarm in flight: whose prefix it restores, how to stop it, when it last made progress, and its end.</summary>
internal sealed class RunningRewarm(string id, string backend, string conversation)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastProgress = Stopwatch.GetTimestamp();

    public string Id { get; } = id;

    public string Backend { get; } = backend;

    public string Conversation { get; } = conversation;

    public CancellationTokenSource Cancel { get; } = new();

    /// <summary>Completes when the rewarm ended: finished, cancelled or failed.</summary>
    public Task Done => _done.Task;

    public void Progressed() => Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());

    public void Finish() => _done.TrySetResult();

    /// <summary>
    /// Waits, for a request that needs exactly this prefix, until it is done: true when it ended (or the request's
    /// client left), false when it stalled (<see cref="WaitLeft"/> ran out), when the caller should stop it instead.
    /// </summary>
    public async Task<bool> JoinAsync(TimeSpan stall, TimeSpan cap, CancellationToken cancellationToken)
    {
        while (!Done.IsCompleted)
        {
            var left = WaitLeft(stall, cap);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await Task.WhenAny(Done, Task.Delay(left, cancellationToken)).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return true; // The client left; the request path sees it and ends the request as usual.
            }
        }

        return true;
    }

    /// <summary>How much longer a joining turn may wait: until <paramref name="stall"/> without progress or <paramref name="cap"/> since the start, whichever is first.</summary>
    private TimeSpan WaitLeft(TimeSpan stall, TimeSpan cap)
    {
        var sinceProgress = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgress));
        var sinceStart = Stopwatch.GetElapsedTime(_started);
        var left = stall - sinceProgress;
        return cap - sinceStart < left ? cap - sinceStart : left;
    }
}
