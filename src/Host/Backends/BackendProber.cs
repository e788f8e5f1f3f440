using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Backends;

/// <summary>
/// Asks every configured backend's health check (<see cref="IBackend.CheckHealthAsync"/>; a pool asks each of its URLs)
/// in the background, once at start and then every <c>healthCheckSeconds</c> (30; 0 runs none), and records the answers in
/// <see cref="BackendHealthTracker"/>, so status and the dashboard say up or down instead of guessing. Never on a
/// request's path; each check is bounded by <see cref="CheckTimeout"/> and stops with the proxy.
/// </summary>
internal sealed partial class BackendProber(
    AnyClaudeOptions options,
    BackendRegistry backends,
    BackendHealthTracker health,
    TimeProvider time,
    ILogger<BackendProber> logger) : BackgroundService
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.HealthCheckInterval <= TimeSpan.Zero)
        {
            return;
        }

        // Off the start-up path: the host's StartAsync does not wait for the first round.
        await Task.Yield();
        using var timer = new PeriodicTimer(options.HealthCheckInterval, time);
        try
        {
            do
            {
                await ProbeAllAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public Task ProbeAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(backends.All.Select(backend => ProbeAsync(backend, cancellationToken)));

    /// <summary>Checks one backend (a pool: each of its URLs), records the answer and returns it; never throws but for the caller's cancellation.</summary>
    public async Task<BackendHealth> ProbeAsync(IBackend backend, CancellationToken cancellationToken)
    {
        var answer = backend is PooledBackend pool
            ? await pool.ProbeAsync(destination => CheckAsync(destination, cancellationToken)).ConfigureAwait(false)
            : await CheckAsync(backend, cancellationToken).ConfigureAwait(false);
        health.MarkProbed(backend.Name, answer);
        if (!answer.IsHealthy)
        {
            LogDown(logger, backend.Name, answer.Description);
        }

        return answer;
    }

    private static async Task<BackendHealth> CheckAsync(IBackend backend, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        BackendHealth answer;
        try
        {
            answer = await backend.CheckHealthAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            answer = BackendHealth.Unhealthy($"backend '{backend.Name}' at {backend.BaseUrl} did not answer its health check within {CheckTimeout.TotalSeconds:0} s");
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
        {
            answer = BackendHealth.Unhealthy(exception.Message);
        }

        return answer;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "backend {Backend}: health check: {Description}")]
    private static partial void LogDown(ILogger logger, string backend, string description);
}
