using System.Buffers;

namespace AnyClaude.Abstractions.Responses;

/// <summary>
/// Finds <c>&lt;think&gt;…&lt;/think&gt;</c> at the start of an answer (servers that leave a model's reasoning in the
/// content) and releases what is inside as thinking, streamed as it comes; the whitespace around the tags belongs to
/// neither. Only a tag with nothing but whitespace before it in the answer opens thinking, and only once, so a later
/// literal "&lt;think&gt;" stays text.
/// </summary>
internal sealed class ThinkTagScanner : HeldTextScanner
{
    private const string OpenTag = "<think>";
    private const string CloseTag = "</think>";

    private static readonly SearchValues<char> Starts = SearchValues.Create("<");

    private Phase _phase;

    private enum Phase { Before, Opened, Thinking, Closing, Done }

    protected override SearchValues<char> MarkerStarts => Starts;

    protected override MarkerMatch Match(ReadOnlySpan<char> candidate, bool atBlockStart)
    {
        if (_phase != Phase.Before || !atBlockStart)
        {
            return MarkerMatch.No;
        }

        if (candidate.Length < OpenTag.Length)
        {
            return OpenTag.AsSpan().StartsWith(candidate) ? MarkerMatch.Partial : MarkerMatch.No;
        }

        if (!candidate.StartsWith(OpenTag))
        {
            return MarkerMatch.No;
        }

        _phase = Phase.Opened;
        return MarkerMatch.Yes;
    }

    protected override int Capture(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output)
    {
        switch (_phase)
        {
            case Phase.Opened when !output.AtAnswerStart:
                // Text came before it in an earlier block of this answer: a literal tag.
                _phase = Phase.Done;
                output.Text(captured[..1]);
                return 1;

            case Phase.Opened:
                _phase = Phase.Thinking;
                return OpenTag.Length + Think(captured[OpenTag.Length..], final, output);

            case Phase.Thinking:
                return Think(captured, final, output);

            default:
                return Closing(captured, final);
        }
    }

    /// <summary>The length of the longest suffix of <paramref name="text"/> that is a proper prefix of <paramref name="tag"/>.</summary>
    internal static int PartialSuffix(ReadOnlySpan<char> text, string tag)
    {
        for (int length = Math.Min(tag.Length - 1, text.Length); length > 0; length--)
        {
            if (text[^length..].SequenceEqual(tag.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }

    /// <summary>Releases the thinking in <paramref name="captured"/> up to the close tag (or up to what may be its start).</summary>
    private int Think(ReadOnlySpan<char> captured, bool final, ResponseBlockWriter output)
    {
        int close = captured.IndexOf(CloseTag);
        if (close >= 0)
        {
            output.Thinking(captured[..close]);
            _phase = Phase.Closing;
            return close + Closing(captured[close..], final);
        }

        int keep = final ? 0 : PartialSuffix(captured, CloseTag);
        output.Thinking(captured[..^keep]);
        ContinueCapture = true;
        return captured.Length - keep;
    }

    /// <summary><paramref name="captured"/> is the close tag and what follows: it ends before the answer's first non-blank character.</summary>
    private int Closing(ReadOnlySpan<char> captured, bool final)
    {
        int answer = captured[CloseTag.Length..].IndexOfAnyExcept(" \t\r\n");
        if (answer < 0 && !final)
        {
            ContinueCapture = true;
            return 0;
        }

        _phase = Phase.Done;
        return answer < 0 ? captured.Length : CloseTag.Length + answer;
    }
}
