using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Responses;

/// <summary>
/// A step of the response pipeline: rewrites a backend's Anthropic event stream on its way to the client (the
/// response-side twin of <see cref="Transforms.IRequestTransform"/>). A step gets the events of the step before it
/// and yields the events of the step after it; it must keep the stream grammar (<c>message_start</c>, blocks
/// indexed from 0 that never interleave, <c>message_delta</c>, <c>message_stop</c>). Return
/// the events it was given itself when the step has nothing to do for a request: that costs nothing per event.
/// </summary>
public interface IResponseTransform
{
    /// <summary>The name a backend's <c>responseTransforms</c> list uses.</summary>
    string Name { get; }

    IAsyncEnumerable<MessageStreamEvent> Apply(IAsyncEnumerable<MessageStreamEvent> events, ResponseContext context);
}
