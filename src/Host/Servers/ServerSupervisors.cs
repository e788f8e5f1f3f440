namespace AnyClaude.Host.Servers;

/// <summary>
/// The supervisors of every backend with a <c>start</c> command, by backend name: started together (one failing
/// leaves the others serving), asked by requests, shown by status, stopped together when anyclaude ends.
/// </summary>
internal sealed class ServerSupervisors(IEnumerable<ServerSupervisor> supervisors) : IAsyncDisposable
{
    private readonly Dictionary<string, ServerSupervisor> _byBackend = supervisors.ToDictionary(s => s.Backend, StringComparer.OrdinalIgnoreCase);

    public ServerSupervisor? For(string backend) => _byBackend.GetValueOrDefault(backend);

    public IReadOnlyList<ServerStatus> Statuses => [.. _byBackend.Values.Select(s => s.Status).OrderBy(s => s.Backend, StringComparer.Ordinal)];

    /// <summary>
    /// Starts every server that does not answer, all at once, and returns when each is up or has failed. A failure is
    /// not thrown: it was said, and is in its status and in the error its backend's requests get.
    /// </summary>
    public Task StartAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_byBackend.Values.Select(async supervisor =>
        {
            try
            {
                await supervisor.EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ServerStartException)
            {
            }
        }));

    /// <summary>For a request to <paramref name="backend"/>: waits while its server starts or restarts; throws <see cref="ServerStartException"/> when its start failed; returns at once for a backend without <c>start</c>.</summary>
    public Task WaitUntilUpAsync(string backend, CancellationToken cancellationToken) =>
        For(backend)?.WaitUntilUpAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(_byBackend.Values.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
}
