using System.Collections.Concurrent;
using System.Diagnostics;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Backends;

/// <summary>
/// At most so many requests in flight per backend (<c>maxInFlight</c>; by default the server's slot count where it reports
/// one, for a pool that times its destinations), the rest waiting here in arrival order rather than at a saturated
/// server: a waiting request is still inside its attempt, so it can still fall back, and a client that leaves takes it
/// out of the queue before anything is sent upstream. State is kept by backend name, so it outlives reloads.
/// </summary>
internal sealed class BackendQueues
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _waiting = new(StringComparer.Ordinal);

    /// <summary>The limit for <paramref name="backend"/>: its setting (0: none), else its server's slots, else none.</summary>
    public static int? LimitOf(BackendOptions? settings, IBackend backend)
    {
        if (settings?.MaxInFlight is { } configured)
        {
            return configured > 0 ? configured : null;
        }

        int destinations = backend is PooledBackend pool ? pool.Destinations.Count : 1;
        return backend.Capabilities.Slots is > 0 and var slots ? slots * destinations : null;
    }

    /// <summary>
    /// Waits for room on <paramref name="backend"/> (at most <paramref name="timeout"/>: then a 504 naming the backend, which
    /// falls back) and returns the place, given back by disposing it; <paramref name="onQueued"/> runs when it has to wait.
    /// </summary>
    public async ValueTask<Place> EnterAsync(string backend, int? limit, string requestId, TimeSpan timeout, Action? onQueued, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(backend, _ => new Gate());
        Waiter? waiter;
        lock (gate)
        {
            gate.Limit = limit;
            if (gate.Waiting.Count == 0 && (limit is null || gate.Running < limit))
            {
                gate.Running++;
                return new Place(gate, 0);
            }

            waiter = new Waiter();
            gate.Waiting.AddLast(waiter);
        }

        long started = Stopwatch.GetTimestamp();
        _waiting[requestId] = backend;
        onQueued?.Invoke();
        try
        {
            await waiter.Entered.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return new Place(gate, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            bool left;
            lock (gate)
            {
                left = gate.Waiting.Remove(waiter);
            }

            if (!left)
            {
                // Room came as it gave up: hand it on.
                Leave(gate);
            }

            if (exception is TimeoutException)
            {
                throw new AnthropicException(
                    AnthropicErrorTypes.Timeout,
                    $"backend '{backend}' had {limit} requests in flight (maxInFlight) for all of {timeout.TotalSeconds:0.###} s (firstByteTimeoutSeconds) "
                    + "while this one waited in anyclaude's queue; raise maxInFlight if the server takes more at once (llama-server: --parallel)",
                    statusCode: 504,
                    shouldRetry: false);
            }

            throw;
        }
        finally
        {
            _waiting.TryRemove(requestId, out _);
        }
    }

    /// <summary>Whether the request is waiting in a backend's queue now.</summary>
    public bool IsWaiting(string requestId) => _waiting.ContainsKey(requestId);

    /// <summary>The backend's queue now: requests it runs, requests waiting, its limit (null: none).</summary>
    public QueueSnapshot Snapshot(string backend)
    {
        if (!_gates.TryGetValue(backend, out var gate))
        {
            return new QueueSnapshot(0, 0, null);
        }

        lock (gate)
        {
            return new QueueSnapshot(gate.Running, gate.Waiting.Count, gate.Limit);
        }
    }

    private static void Leave(Gate gate)
    {
        lock (gate)
        {
            gate.Running--;
            while (gate.Waiting.First is { } next && (gate.Limit is null || gate.Running < gate.Limit))
            {
                gate.Waiting.RemoveFirst();
                gate.Running++;
                next.Value.Entered.TrySetResult();
            }
        }
    }

    /// <summary>A request's room on a backend; <see cref="WaitedSeconds"/> is how long it queued for it.</summary>
    internal sealed class Place(Gate gate, double waitedSeconds) : IDisposable
    {
        private int _left;

        public double WaitedSeconds { get; } = waitedSeconds;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                Leave(gate);
            }
        }
    }

    internal sealed class Gate
    {
        public int Running;
        public int? Limit;
        public readonly LinkedList<Waiter> Waiting = new();
    }

    internal sealed class Waiter
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A backend's queue now.</summary>
internal sealed record QueueSnapshot(int Running, int Waiting, int? Limit);
