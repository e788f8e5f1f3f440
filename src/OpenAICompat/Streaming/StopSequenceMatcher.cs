using System.Text;

namespace AnyClaude.OpenAICompat.Streaming;

/// <summary>
/// Finds the request's stop sequences in streamed text. OpenAI-compatible servers strip a matched stop
/// string and do not say which one matched, so the proxy matches itself: it holds back any tail that could
/// still become a stop sequence, and reports the sequence that ended the text.
/// </summary>
internal sealed class StopSequenceMatcher
{
    private readonly IReadOnlyList<string> _sequences;
    private readonly StringBuilder _held = new();

    public StopSequenceMatcher(IReadOnlyList<string>? sequences) =>
        _sequences = sequences?.Where(s => s.Length > 0).ToArray() ?? [];

    public bool IsActive => _sequences.Count > 0;

    public string? Matched { get; private set; }

    /// <summary>Returns the text that can be emitted now; after a match, the text before it and <see cref="Matched"/> is set.</summary>
    public string Process(string text)
    {
        if (!IsActive)
        {
            return text;
        }

        _held.Append(text);
        string held = _held.ToString();
        int bestIndex = -1;
        foreach (var sequence in _sequences)
        {
            int index = held.IndexOf(sequence, StringComparison.Ordinal);
            if (index >= 0 && (bestIndex < 0 || index < bestIndex))
            {
                bestIndex = index;
                Matched = sequence;
            }
        }

        if (bestIndex >= 0)
        {
            _held.Clear();
            return held[..bestIndex];
        }

        int keep = _sequences.Max(s => ThinkTagSplitter.PartialSuffix(held, s));
        _held.Clear().Append(held, held.Length - keep, keep);
        return held[..^keep];
    }

    /// <summary>What is still held back when the text ends without a match.</summary>
    public string Flush()
    {
        string rest = _held.ToString();
        _held.Clear();
        return rest;
    }
}
