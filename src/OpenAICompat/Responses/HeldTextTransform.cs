using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.OpenAICompat.Responses;

/// <summary>
/// The shared base of response steps that find markers in the model's text (a printed tool call, a think tag):
/// the text of each upstream text block goes through a <see cref="HeldTextScanner"/>, which lets it flow, holds it
/// back while it may still be a marker, and releases it as text or as blocks. Other blocks pass through. Every
/// block is re-indexed in output order, and <c>stop_reason</c> becomes <c>tool_use</c> when a call was made.
/// </summary>
public abstract class HeldTextTransform : IResponseTransform
{
    public abstract string Name { get; }

    /// <summary>The scanner for one answer, or null when this step has nothing to do for the request (the events then pass untouched).</summary>
    protected abstract HeldTextScanner? CreateScanner(ResponseContext context);

    public IAsyncEnumerable<MessageStreamEvent> Apply(IAsyncEnumerable<MessageStreamEvent> events, ResponseContext context) =>
        CreateScanner(context) is { } scanner ? Run(events, scanner, context.CancellationToken) : events;

    private static async IAsyncEnumerable<MessageStreamEvent> Run(
        IAsyncEnumerable<MessageStreamEvent> events,
        HeldTextScanner scanner,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var output = new ResponseBlockWriter();
        var pending = output.Pending;
        bool inText = false;
        bool ended = false;
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (e)
            {
                case ContentBlockStartEvent { ContentBlock: TextBlock text }:
                    inText = true;
                    output.BeginUpstreamText();
                    scanner.Write(text.Text, null, output);
                    break;
                case ContentBlockStartEvent start:
                    EndText(ref inText, scanner, output);
                    output.PassStart(start);
                    break;
                case ContentBlockDeltaEvent { Delta: TextDelta delta } textDelta when inText:
                    scanner.Write(delta.Text, textDelta, output);
                    break;
                case ContentBlockDeltaEvent delta:
                    output.PassDelta(delta);
                    break;
                case ContentBlockStopEvent when inText:
                    EndText(ref inText, scanner, output);
                    break;
                case ContentBlockStopEvent stop:
                    output.PassStop(stop);
                    break;
                case MessageDeltaEvent end:
                    EndText(ref inText, scanner, output);
                    output.End(end);
                    ended = true;
                    break;
                case ErrorEvent:
                    EndText(ref inText, scanner, output);
                    output.CloseOpen();
                    output.Add(e);
                    break;
                default:
                    output.Add(e);
                    break;
            }

            if (pending.Count == 1)
            {
                var only = pending[0];
                pending.Clear();
                yield return only;
            }
            else if (pending.Count > 1)
            {
                var batch = pending.ToArray();
                pending.Clear();
                foreach (var item in batch)
                {
                    yield return item;
                }
            }
        }

        if (!ended)
        {
            // The upstream stream ended early: whatever was held goes out as it was, and the host reports the break.
            EndText(ref inText, scanner, output);
            output.CloseOpen();
            foreach (var item in pending.ToArray())
            {
                yield return item;
            }
        }
    }

    private static void EndText(ref bool inText, HeldTextScanner scanner, ResponseBlockWriter output)
    {
        if (inText)
        {
            scanner.Flush(output);
            output.EndUpstreamText();
            inText = false;
        }
    }
}
