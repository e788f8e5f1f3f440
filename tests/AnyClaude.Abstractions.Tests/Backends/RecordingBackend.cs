using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Tests.Backends;

/// <summary>
/// A backend that answers every member of <see cref="IBackend"/> with a value of its own (never the interface's default)
/// and records each call with what it was handed, so a layer's forwarding shows in <see cref="Calls"/>.
/// </summary>
internal sealed class RecordingBackend(string name = "recorded") : IBackend
{
    public static readonly BackendCapabilities OwnCapabilities = new() { Model = "own-model", ContextLength = 4096 };

    public static readonly BackendCapabilities DiscoveredCapabilities = new() { Model = "discovered-model", ContextLength = 65536, Slots = 4 };

    public List<(string Member, object?[] Arguments)> Calls { get; } = [];

    public string Name => Record(name);

    public BackendCapabilities Capabilities => Record(OwnCapabilities);

    public Uri BaseUrl => Record(new Uri("http://127.0.0.1:1/v1"));

    public async IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Record<object?>(null, [request, call, cancellationToken]);
        await Task.Yield();
        yield return new MessageStartEvent(new MessageResponse { Id = "msg_" + name, Model = request.Model, Usage = new Usage() });
        yield return new MessageStopEvent();
    }

    public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Record(42, [request, cancellationToken]));

    // Not IBackend's default (CountInputTokensAsync as an estimate): a layer falling back to that default shows.
    public ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Record(new TokenCount(77, TokenCountSource.Server), [request, cancellationToken]));

    public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Record(BackendHealth.Unhealthy($"{name} is recorded"), [cancellationToken]));

    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Record<IReadOnlyList<ModelInfo>>([new ModelInfo("listed", "Listed")], [cancellationToken]));

    // Not IBackend's default (Capabilities as they are).
    public Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Record(DiscoveredCapabilities, [cancellationToken]));

    private T Record<T>(T result, object?[]? arguments = null, [CallerMemberName] string member = "")
    {
        Calls.Add((member, arguments ?? []));
        return result;
    }
}
