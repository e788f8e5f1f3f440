using System.Collections.Concurrent;
using AnyClaude.Abstractions.Backends;

namespace AnyClaude.Host.Backends;

/// <summary>
/// Passive health per backend name: a backend that failed (refused, timed out connecting, 5xx before its first
/// event) is skipped while its back-off runs (2 s, doubling per failure in a row, at most 60 s), then tried again;
/// one success clears it. Also counts requests in flight. State is kept by name, so it outlives configuration reloads.
/// Health nobody has seen is <see cref="BackendHealthState.Unknown"/> until a request or a probe
/// (<see cref="BackendProber"/>) says otherwise; a probe's answer is shown, but never backs a backend off.
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
            state.Known = true;
        }
    }

    public void MarkSucceeded(string backend)
    {
        var state = StateOf(backend);
        if (!state.Known || state.Failures > 0 || state.ProbedDown)
        {
            lock (state)
            {
                state.Failures = 0;
                state.RetryAt = DateTimeOffset.MinValue;
                state.LastError = null;
                state.ProbedDown = false;
                state.Known = true;
            }
        }
    }

    /// <summary>
    /// A background health check's answer, for status only: down is shown, up clears that; neither touches the
    /// back-off, which requests decide (so a probe never changes where a request goes).
    /// </summary>
    public void MarkProbed(string backend, BackendHealth health)
    {
        var state = StateOf(backend);
        lock (state)
        {
            state.ProbedDown = !health.IsHealthy;
            if (!health.IsHealthy)
            {
                state.LastError = health.Description;
            }

            state.Known = true;
        }
    }

    public void Started(string backend) => Interlocked.Increment(ref StateOf(backend).InFlight);

    public void Finished(string backend) => Interlocked.Decrement(ref StateOf(backend).InFlight);

    public BackendHealthSnapshot Snapshot(string backend)
    {
        if (!_states.TryGetValue(backend, out var state))
        {
            return new BackendHealthSnapshot(BackendHealthState.Unknown, 0, 0, null, null);
        }

        lock (state)
        {
            bool available = state.RetryAt <= time.GetUtcNow();
            var now = !state.Known ? BackendHealthState.Unknown
                : state.Failures > 0 || state.ProbedDown ? BackendHealthState.Down
                : BackendHealthState.Up;
            return new BackendHealthSnapshot(now, Volatile.Read(ref state.InFlight), state.Failures, available ? null : state.RetryAt, state.LastError);
        }
    }

    private State StateOf(string backend) => _states.GetOrAdd(backend, _ => new State());

    private sealed class State
    {
        public int InFlight;
        public int Failures;
        public DateTimeOffset RetryAt = DateTimeOffset.MinValue;
        public string? LastError;
        public volatile bool Known;
        public volatile bool ProbedDown;
    }
}

/// <summary>What is known of a backend's health: nothing yet, it answered last, or it failed or its health check did.</summary>
internal enum BackendHealthState
{
    Unknown,
    Up,
    Down,
}

/// <summary>A backend's passive health now: <see cref="RetryAt"/> is set while it is being skipped.</summary>
internal sealed record BackendHealthSnapshot(BackendHealthState Health, int InFlight, int Failures, DateTimeOffset? RetryAt, string? LastError)
{
    /// <summary>Known to be up; unknown is not healthy.</summary>
    public bool Healthy => Health == BackendHealthState.Up;

    /// <summary>As status shows it: <c>unknown</c>, <c>up</c> or <c>down</c>.</summary>
    public string HealthText => HealthTexts.Of(Health);
}

internal static class HealthTexts
{
    public static string Of(BackendHealthState health) => health switch
    {
        BackendHealthState.Up => "up",
        BackendHealthState.Down => "down",
        _ => "unknown",
    };
}
