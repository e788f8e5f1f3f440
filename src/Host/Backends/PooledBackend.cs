using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Backends;

/// <summary>
/// A backend entry with <c>urls</c>: several replicas of one server, each a backend instance of the entry's kind.
/// A request goes where <see cref="PoolDestinations"/> says (affinity, else least loaded); a destination that fails
/// before the first event (<see cref="FallbackPolicy"/>) is taken out and the request moves to the next one, so
/// the client sees no error while any replica answers. The pool balances requests; it does not split a model.
/// </summary>
internal sealed partial class PooledBackend : IBackend
{
    private readonly PoolDestinations _pool;
    private readonly ILogger _logger;

    /// <param name="replicas">Each configured URL and the backend instance built for it.</param>
    /// <param name="state">The pool's state by URL, carried over from the instance this one replaces.</param>
    public PooledBackend(string name, IReadOnlyList<(Uri Url, IBackend Backend)> replicas, PoolState state, TimeProvider time, ILogger logger)
    {
        Name = name;
        state.Retain([.. replicas.Select(r => r.Url)]);
        _pool = new PoolDestinations([.. replicas.Select((replica, i) => new PoolDestination(i, replica.Backend, state.For(replica.Url)))], state, time);
        _logger = logger;
    }

    public string Name { get; }

    public IReadOnlyList<PoolDestination> Destinations => _pool.Destinations;

    /// <summary>Each destination's health, load and conversations now.</summary>
    public IReadOnlyList<PoolDestinationStatus> Snapshot() => _pool.Snapshot();

    public BackendCapabilities Capabilities => First.Capabilities;

    public Uri BaseUrl => First.BaseUrl;

    private IBackend First => _pool.Destinations[0].Backend;

    public async IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var tried = new HashSet<PoolDestination>();
        AnthropicException? lastError = null;
        PoolDestination destination;
        IAsyncEnumerator<MessageStreamEvent> events;
        bool more;
        while (true)
        {
            var (next, placement) = _pool.Choose(call.ConversationKey, tried);
            if (next is null)
            {
                throw lastError!;
            }

            destination = next;
            tried.Add(destination);
            call.Destination = destination.Url;
            call.Placement = placement;
            destination.Started();
            events = destination.Backend.StreamAsync(request, call, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                more = await events.MoveNextAsync().ConfigureAwait(false);
                _pool.MarkSucceeded(destination);
                break;
            }
            catch (AnthropicException exception) when (FallbackPolicy.ShouldFallBack(exception) && tried.Count < _pool.Destinations.Count)
            {
                _pool.MarkFailed(destination, exception.Message);
                await events.DisposeAsync().ConfigureAwait(false);
                destination.Finished();
                lastError = exception;
                LogDestinationFailed(_logger, call.RequestId, Name, destination.Url, exception.Message);
            }
            catch (AnthropicException exception) when (FallbackPolicy.ShouldFallBack(exception))
            {
                _pool.MarkFailed(destination, exception.Message);
                await events.DisposeAsync().ConfigureAwait(false);
                destination.Finished();
                throw;
            }
            catch
            {
                await events.DisposeAsync().ConfigureAwait(false);
                destination.Finished();
                throw;
            }
        }

        try
        {
            if (call.ConversationKey is { } key && !IsSideRequest(call.RequestClass))
            {
                _pool.Assign(key, destination);
            }

            while (more)
            {
                yield return events.Current;
                more = await events.MoveNextAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
            destination.Finished();
        }
    }

    /// <summary>Side requests have a prefix of their own: they must not move the conversation they came from.</summary>
    private static bool IsSideRequest(string? requestClass) => requestClass is "classifier" or "title" or "topic" or "probe";

    public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        Healthiest.CountInputTokensAsync(request, cancellationToken);

    /// <summary>A replica's own count (its server's, where it can ask), not the interface's estimate.</summary>
    public ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        Healthiest.CountTokensAsync(request, cancellationToken);

    /// <summary>Healthy when any replica is; each replica's answer goes into its state.</summary>
    public async Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(_pool.Destinations.Select(async d => (Destination: d, Health: await d.Backend.CheckHealthAsync(cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        foreach (var (destination, health) in checks)
        {
            if (health.IsHealthy)
            {
                _pool.MarkSucceeded(destination);
            }
            else
            {
                _pool.MarkFailed(destination, health.Description);
            }
        }

        int up = checks.Count(c => c.Health.IsHealthy);
        string each = string.Join("; ", checks.Select(c => $"{c.Destination.Url}: {c.Health.Description}"));
        return up > 0
            ? BackendHealth.Healthy($"{up} of {checks.Length} destinations up ({each})")
            : BackendHealth.Unhealthy($"no destination of pool '{Name}' is up ({each})");
    }

    /// <summary>Checks each destination for status (<see cref="BackendProber"/>): what it finds is shown, and backs nothing off.</summary>
    public async Task<BackendHealth> ProbeAsync(Func<IBackend, Task<BackendHealth>> check)
    {
        var answers = await Task.WhenAll(_pool.Destinations.Select(async d => (Destination: d, Health: await check(d.Backend).ConfigureAwait(false)))).ConfigureAwait(false);
        foreach (var (destination, health) in answers)
        {
            _pool.MarkProbed(destination, health);
        }

        int up = answers.Count(a => a.Health.IsHealthy);
        return up > 0
            ? BackendHealth.Healthy($"{up} of {answers.Length} destinations up")
            : BackendHealth.Unhealthy($"no destination of pool '{Name}' is up ({string.Join("; ", answers.Select(a => a.Health.Description))})");
    }

    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) => Healthiest.ListModelsAsync(cancellationToken);

    public async Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken)
    {
        foreach (var destination in _pool.Destinations)
        {
            await destination.Backend.DiscoverCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
        }

        return Capabilities;
    }

    private IBackend Healthiest => _pool.Destinations.OrderBy(d => d.Failures).ThenBy(d => d.InFlight).First().Backend;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{ProxyRequestId} pool '{Backend}': destination {Destination} failed before its first event ({Error}); taken out, trying the next")]
    private static partial void LogDestinationFailed(ILogger logger, string proxyRequestId, string backend, Uri destination, string error);
}
