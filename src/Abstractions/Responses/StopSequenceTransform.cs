
namespace AnyClaude.Abstractions.Responses;

/// <summary>
/// The <c>stop-sequences</c> response step: the first of the request's <c>stop_sequences</c> to appear in the answer's
/// text ends the answer before it, with <c>stop_reason</c> <c>stop_sequence</c> naming it; the step stops reading
/// upstream, which cancels the generation. Thinking and tool calls are not matched (as in Anthropic's API). Requests
/// without stop sequences pass untouched.
/// </summary>
public sealed class StopSequenceTransform : HeldTextTransform
{
    public const string TransformName = "stop-sequences";

    public override string Name => TransformName;

    protected override HeldTextScanner? CreateScanner(ResponseContext context) =>
        context.Request.StopSequences?.Where(s => s.Length > 0).ToArray() is { Length: > 0 } sequences
            ? new StopSequenceScanner(sequences, context)
            : null;
}
