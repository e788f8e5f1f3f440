using Microsoft.Extensions.Hosting;

namespace AnyClaude.Host.Hosting;

/// <summary>
/// A host lifetime that ignores Ctrl+C: while claude runs, the terminal's signals are claude's, and the proxy
/// is stopped by anyclaude when claude exits.
/// </summary>
internal sealed class ManualLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
