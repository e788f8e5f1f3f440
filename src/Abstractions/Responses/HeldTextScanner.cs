using System.Buffers;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Responses;

/// <summary>What a held candidate is: not a marker, possibly one (wait for more text), or certainly one.</summary>
public enum MarkerMatch
{
    No,
    Partial,
    Yes,
}

/// <summary>
/// Finds markers in one answer's text. Text without a character of <see cref="MarkerStarts"/> is released at once,
/// untouched. From such a character on, text is held while <see cref="Match"/> says it may still be a marker, and
/// released when it says it is not; once it is one, the text from the marker on is captured and handed to
/// <see cref="Capture"/> as it grows, until the step consumes it (as blocks, or as text).
/// </summary>
public abstract class HeldTextScanner
{
    private char[] _buffer = new char[256];
    private int _length;
    private int _captureLength;
    private bool _capturing;

    /// <summary>The characters a marker can begin with.</summary>
    protected abstract SearchValues<char> MarkerStarts { get; }

    /// <summary>Is <paramref name="candidate"/> (the held text from a marker-start character to its end) a marker?</summary>
    /// <param name="candidate">The held text from a marker-start character on.</param>
    /// <param name="atBlockStart">Nothing but whitespace came before it in this text block (or since the last tool call).</param>
    protected abstract MarkerMatch Match(ReadOnlySpan<char> candidate, bool atBlockStart);

    /// <summary>
    /// Called while a marker's text is captured, each time it grows. Return how many characters from its start were
    /// consumed, after writing them to <paramref name="output"/> as blocks or text; 0 waits for more. When
    /// <paramref name="final"/> is true no more text comes, and the step must consume at least one character.
    /// </summary>
    /// <param name="captured">The held text, starting with a whole marker.</param>
    /// <param name="previousLength">How long <paramref name="captured"/> was at the previous call (0 at the first), so a step can search only the new part.</param>
    /// <param name="final">No more text comes: the step must consume at least one character.</param>
    /// <param name="output">Where the step writes what the marker becomes (text, thinking, tool calls).</param>
    protected abstract int Capture(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output);

    /// <summary>
    /// Set by <see cref="Capture"/> (it is false at each call) to go on capturing after the characters it consumed: what
    /// follows is still the marker's span (a thinking section streamed as it comes) and is not scanned for markers.
    /// </summary>
    protected bool ContinueCapture { get; set; }

    /// <summary>
    /// The usage to report when the step ended the answer early (<see cref="ResponseBlockWriter.StopAt"/>): the
    /// counts of <c>message_start</c>, and one output token per content delta read from upstream.
    /// </summary>
    protected internal virtual ValueTask<Usage> UsageAtStopAsync(Usage? atStart, int upstreamDeltas, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new Usage
        {
            InputTokens = atStart?.InputTokens ?? 0,
            CacheReadInputTokens = atStart?.CacheReadInputTokens ?? 0,
            CacheCreationInputTokens = atStart?.CacheCreationInputTokens ?? 0,
            OutputTokens = upstreamDeltas,
        });

    internal void Write(string text, ContentBlockDeltaEvent? original, ResponseBlockWriter output)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (_length == 0 && !_capturing && text.AsSpan().IndexOfAny(MarkerStarts) < 0)
        {
            output.Text(text, original);
            return;
        }

        Append(text);
        Process(final: false, output);
    }

    internal void Flush(ResponseBlockWriter output)
    {
        if (_length > 0)
        {
            Process(final: true, output);
        }

        // A capture that consumed all it was given ends with the text block.
        _capturing = false;
    }

    private void Process(bool final, ResponseBlockWriter output)
    {
        int scanFrom = 0;
        while (_length > 0)
        {
            var held = _buffer.AsSpan(0, _length);
            if (_capturing)
            {
                int previous = _captureLength;
                _captureLength = _length;
                ContinueCapture = false;
                int consumed = Capture(held, previous, final, output);
                if (consumed <= 0)
                {
                    if (!final)
                    {
                        return;
                    }

                    output.Text(held);
                    consumed = _length;
                    ContinueCapture = false;
                }

                _capturing = ContinueCapture && !final;
                Consume(Math.Min(consumed, _length));
                _captureLength = _length;
                scanFrom = 0;
                continue;
            }

            int start = held[scanFrom..].IndexOfAny(MarkerStarts);
            if (start < 0)
            {
                output.Text(held);
                _length = 0;
                return;
            }

            start += scanFrom;
            if (start > 0)
            {
                output.Text(held[..start]);
                Consume(start);
                held = _buffer.AsSpan(0, _length);
            }

            switch (Match(held, output.AtBlockStart))
            {
                case MarkerMatch.Yes:
                    _capturing = true;
                    _captureLength = 0;
                    break;
                case MarkerMatch.Partial when !final:
                    return;
                default:
                    scanFrom = 1;
                    break;
            }
        }
    }

    private void Append(string text)
    {
        if (_length + text.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + text.Length));
        }

        text.CopyTo(0, _buffer, _length, text.Length);
        _length += text.Length;
    }

    private void Consume(int count)
    {
        _length -= count;
        Array.Copy(_buffer, count, _buffer, 0, _length);
    }
}
