using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Backends;

/// <summary>
/// A model server behind the proxy. One instance per configured backend. <see cref="StreamAsync"/> yields
/// the answer as Anthropic stream events starting with <c>message_start</c>; the host streams them to the
/// client or folds them into one message. Failures before the first event are thrown as
/// <see cref="Errors.AnthropicException"/> so the client gets a proper HTTP error.
/// </summary>
public interface IBackend
{
    string Name { get; }

    BackendCapabilities Capabilities { get; }

    /// <summary>Where the backend lives, for messages and logs (never includes secrets).</summary>
    Uri BaseUrl { get; }

    IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken);

    /// <summary>An estimate of the prompt's size in tokens as this backend would see it.</summary>
    ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// The prompt's size in tokens and where the figure comes from. Backends whose server can count override it; the
    /// default takes <see cref="CountInputTokensAsync"/> as an estimate.
    /// </summary>
    async ValueTask<TokenCount> CountTokensAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        new(await CountInputTokensAsync(request, cancellationToken).ConfigureAwait(false), TokenCountSource.Estimate);

    Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Asks the server what it is and can do (context window, tools, slots, …) and returns the capabilities that
    /// follow, which <see cref="Capabilities"/> reports from then on. Backends that cannot ask return what they have.
    /// </summary>
    Task<BackendCapabilities> DiscoverCapabilitiesAsync(CancellationToken cancellationToken) => Task.FromResult(Capabilities);
}
