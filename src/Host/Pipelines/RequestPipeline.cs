using System.Diagnostics;
using System.Text;
using AnyClaude.Abstractions.Transforms;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Pipelines;

/// <summary>Where a pipeline step comes from.</summary>
internal enum TransformKind
{
    BuiltIn,
    Plugin,
    Script,
}

/// <summary>One step of a backend's pipeline.</summary>
internal sealed record PipelineStep(string Name, TransformKind Kind, IRequestTransform Transform);

/// <summary>A step as shown to the user (<c>anyclaude plugins</c>): its name and <c>built-in</c>, <c>plugin</c> or <c>script</c>.</summary>
internal sealed record PipelineStepInfo(string Name, string Kind);

/// <summary>A backend's pipeline as shown to the user, steps in the order they run.</summary>
internal sealed record BackendPipelineInfo(string Backend, IReadOnlyList<PipelineStepInfo> Steps);

/// <summary>
/// The ordered request transforms of one backend, built once at start-up. Every request to that backend passes
/// through them before the backend renders it. At debug level 2 and above each step is timed (two timestamps per
/// step) and the timings are logged in one line per request.
/// </summary>
internal sealed partial class RequestPipeline(string backend, IReadOnlyList<PipelineStep> steps, ILogger? timingLogger = null)
{
    public string Backend { get; } = backend;

    public IReadOnlyList<PipelineStep> Steps { get; } = steps;

    public IEnumerable<IRequestTransform> Transforms => Steps.Select(s => s.Transform);

    public BackendPipelineInfo Describe() =>
        new(Backend, Steps.Select(s => new PipelineStepInfo(s.Name, KindName(s.Kind))).ToList());

    public static string KindName(TransformKind kind) => kind switch
    {
        TransformKind.BuiltIn => "built-in",
        TransformKind.Plugin => "plugin",
        _ => "script",
    };

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken) =>
        timingLogger is null ? ApplyUntimedAsync(context, cancellationToken) : ApplyTimedAsync(context, timingLogger, cancellationToken);

    private async ValueTask ApplyUntimedAsync(RequestContext context, CancellationToken cancellationToken)
    {
        foreach (var step in Steps)
        {
            await step.Transform.ApplyAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask ApplyTimedAsync(RequestContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var timings = new StringBuilder();
        long total = 0;
        foreach (var step in Steps)
        {
            long start = Stopwatch.GetTimestamp();
            await step.Transform.ApplyAsync(context, cancellationToken).ConfigureAwait(false);
            long elapsed = Stopwatch.GetTimestamp() - start;
            total += elapsed;
            timings.Append(timings.Length == 0 ? "" : ", ").Append(step.Name).Append(' ').Append(Micros(elapsed)).Append("µs");
        }

        LogTimings(logger, context.Call.RequestId, Backend, Micros(total), timings.ToString());
    }

    private static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    [LoggerMessage(Level = LogLevel.Debug, Message = "{ProxyRequestId} transforms for {Backend}: {TotalMicroseconds}µs ({Steps})")]
    private static partial void LogTimings(ILogger logger, string proxyRequestId, string backend, long totalMicroseconds, string steps);
}
