using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// Makes sure each backend has asked its server what it is (its context window above all) before its first request
/// is sized: every backend starts asking in the background at start-up; a request that finds the first answer still
/// out waits for it at most <see cref="FirstUseWait"/>; after <see cref="RefreshAfter"/> the next request has it asked
/// again in the background (so a model loaded since, with another window, is noticed), as does a backend that said
/// the prompt was too long (<see cref="MarkStale"/>). Health checks ask too. Asking never fails a request.
/// </summary>
internal sealed partial class CapabilityDiscovery(TimeProvider time, ILogger<CapabilityDiscovery> logger)
{
    public static readonly TimeSpan FirstUseWait = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    // Keyed by instance: a backend recreated by a plugin reload is a new one, asked afresh.
    private readonly ConditionalWeakTable<IBackend, State> _states = new();

    /// <summary>Starts asking every backend, without waiting (start-up).</summary>
    public void StartAll(IEnumerable<IBackend> backends)
    {
        foreach (var backend in backends)
        {
            _ = EnsureAsync(backend, CancellationToken.None);
        }
    }

    /// <summary>Completes once the backend has answered once (or <see cref="FirstUseWait"/> passed); later calls only start refreshes.</summary>
    public Task EnsureAsync(IBackend backend, CancellationToken cancellationToken)
    {
        var state = _states.GetValue(backend, _ => new State());
        Task running;
        bool answered;
        lock (state)
        {
            answered = state.Answered;
            if (answered && !state.Stale && time.GetElapsedTime(state.AnsweredAt) < RefreshAfter)
            {
                return Task.CompletedTask;
            }

            running = state.Running ??= AskAsync(backend, state);
        }

        return answered ? Task.CompletedTask : WaitFirstAsync(running, backend, cancellationToken);
    }

    /// <summary>Has the backend asked again on its next request (it refused a prompt as too long: its model may have changed).</summary>
    public void MarkStale(IBackend backend)
    {
        if (_states.TryGetValue(backend, out var state))
        {
            lock (state)
            {
                state.Stale = true;
            }
        }
    }

    private async Task WaitFirstAsync(Task running, IBackend backend, CancellationToken cancellationToken)
    {
        try
        {
            await running.WaitAsync(FirstUseWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogSlow(logger, backend.Name, FirstUseWait.TotalSeconds);
        }
    }

    private async Task AskAsync(IBackend backend, State state)
    {
        // Never inside the caller's lock: the answer is recorded under it.
        await Task.Yield();
        try
        {
            using var timeout = new CancellationTokenSource(AskTimeout, time);
            var capabilities = await backend.DiscoverCapabilitiesAsync(timeout.Token).ConfigureAwait(false);
            LogDiscovered(logger, backend.Name, capabilities.ContextLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogFailed(logger, backend.Name, exception.Message);
        }
        finally
        {
            lock (state)
            {
                state.Running = null;
                state.Answered = true;
                state.Stale = false;
                state.AnsweredAt = time.GetTimestamp();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "backend {Backend}: context window {ContextLength}")]
    private static partial void LogDiscovered(ILogger logger, string backend, string contextLength);

    [LoggerMessage(Level = LogLevel.Debug, Message = "backend {Backend}: asking the server what it is failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string backend, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "backend {Backend}: its server has not said what it is within {Seconds}s; this request goes with what is known")]
    private static partial void LogSlow(ILogger logger, string backend, double seconds);

    private sealed class State
    {
        public Task? Running;
        public bool Answered;
        public bool Stale;
        public long AnsweredAt;
    }
}
