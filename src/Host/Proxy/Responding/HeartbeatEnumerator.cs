namespace AnyClaude.Host.Proxy.Responding;

/// <summary>
/// Moves through a stream of events, calling back whenever the next one keeps us waiting longer than the
/// heartbeat interval (a local model can prefill for minutes before its first token).
/// </summary>
internal static class HeartbeatEnumerator
{
    /// <param name="beforeWait">Runs once when the next event is not ready at once (a chance to flush what was written).</param>
    public static async ValueTask<bool> MoveNextAsync<T>(
        IAsyncEnumerator<T> events,
        TimeSpan interval,
        Func<ValueTask> onIdle,
        Func<ValueTask> beforeWait)
    {
        var next = events.MoveNextAsync();
        if (next.IsCompleted)
        {
            return await next.ConfigureAwait(false);
        }

        await beforeWait().ConfigureAwait(false);
        var pending = next.AsTask();
        while (true)
        {
            try
            {
                // No cancellation token here: the enumerator observes the request's token itself and ends
                // promptly, and it must not be disposed while a MoveNextAsync is still running.
                return await pending.WaitAsync(interval).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                if (pending.IsCompleted)
                {
                    // The step finished just as the wait timed out: its result, not the timeout, is the answer.
                    return await pending.ConfigureAwait(false);
                }

                try
                {
                    await onIdle().ConfigureAwait(false);
                }
                catch
                {
                    // Writing failed (the client went away, which also cancels the backend): let the pending
                    // step finish before the caller disposes the enumerator under it.
                    await Task.WhenAny(pending).ConfigureAwait(false);
                    throw;
                }
            }
        }
    }
}
