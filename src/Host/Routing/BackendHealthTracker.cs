using System.Collections.Concurrent;

namespace AnyClaude.Host.Routing;

/// <summary>
/// Passive health per backend name: a backend that failed (refused, timed out connecting, 5xx before its first
/// event) is skipped while its back-off runs (2 s, doubling per failure in a row, at most 60 s), then tried again;
/// one success clears it. Also counts requests in flight. State is kept by name, so it outlives configuration reloads.
/// </summary>
internal sealed class BackendHealthTracker(TimeProvider time)
{
    public static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True unless the backend failed and its back-off has not run out yet.</summary>
    public bool IsAvailable(string backend) => !_states.TryGetValue(backend, out var state) || state.RetryAt <= time.GetUtcNow();

    public void MarkFailed(string backend, string reason)
    {
        var state = StateOf(backend);
        lock (state)
        {
            state.Failures++;
            double seconds = Math.Min(MaxBackOff.TotalSeconds, FirstBackOff.TotalSeconds * Math.Pow(2, state.Failures - 1));
            state.RetryAt = time.GetUtcNow() + TimeSpan.FromSeconds(seconds);
            state.LastError = reason;
        }
    }

    public void MarkSucceeded(string backend)
    {
        if (_states.TryGetValue(backend, out var state) && state.Failures > 0)
        {
            lock (state)
            {
                state.Failures = 0;
                state.RetryAt = DateTimeOffset.MinValue;
                state.LastError = null;
            }
        }
    }

    public void Started(string backend) => Interlocked.Increment(ref StateOf(backend).InFlight);

    public void Finished(string backend) => Interlocked.Decrement(ref StateOf(backend).InFlight);

    public BackendHealthSnapshot Snapshot(string backend)
    {
        if (!_states.TryGetValue(backend, out var state))
        {
            return new BackendHealthSnapshot(true, 0, 0, null, null);
        }

        lock (state)
        {
            bool available = state.RetryAt <= time.GetUtcNow();
            return new BackendHealthSnapshot(state.Failures == 0, Volatile.Read(ref state.InFlight), state.Failures, available ? null : state.RetryAt, state.LastError);
        }
    }

    private State StateOf(string backend) => _states.GetOrAdd(backend, _ => new State());

    private sealed class State
    {
        public int InFlight;
        public int Failures;
        public DateTimeOffset RetryAt = DateTimeOffset.MinValue;
        public string? LastError;
    }
}

/// <summary>A backend's passive health now: <see cref="RetryAt"/> is set while it is being skipped.</summary>
internal sealed record BackendHealthSnapshot(bool Healthy, int InFlight, int Failures, DateTimeOffset? RetryAt, string? LastError);
