using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Host.Pipelines;

/// <summary>One step of a backend's response pipeline.</summary>
internal sealed record ResponseStep(string Name, TransformKind Kind, IResponseTransform Transform);

/// <summary>
/// The ordered response steps of one backend, built once (like its request pipeline). The backend's events go
/// through the first step, its output through the second, and so on; what the last yields goes to the client.
/// </summary>
internal sealed class ResponsePipeline(string backend, IReadOnlyList<ResponseStep> steps)
{
    public string Backend { get; } = backend;

    public IReadOnlyList<ResponseStep> Steps { get; } = steps;

    public BackendPipelineInfo Describe() =>
        new(Backend, Steps.Select(s => new PipelineStepInfo(s.Name, RequestPipeline.KindName(s.Kind))).ToList());

    public IAsyncEnumerable<MessageStreamEvent> Apply(IAsyncEnumerable<MessageStreamEvent> events, ResponseContext context)
    {
        foreach (var step in Steps)
        {
            events = step.Transform.Apply(events, context);
        }

        return events;
    }
}
