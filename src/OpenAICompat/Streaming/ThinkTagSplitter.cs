using System.Text;

namespace AnyClaude.OpenAICompat.Streaming;

/// <summary>
/// Splits streamed content that opens with <c>&lt;think&gt;…&lt;/think&gt;</c> (models whose server leaves
/// reasoning in the content) into thinking and text. Tags may be cut across chunks; only a tag at the start of
/// the content opens thinking, so a later literal "&lt;think&gt;" in an answer stays text.
/// </summary>
internal sealed class ThinkTagSplitter
{
    private const string OpenTag = "<think>";
    private const string CloseTag = "</think>";

    private readonly StringBuilder _pending = new();
    private State _state = State.Undecided;

    private enum State { Undecided, Thinking, AfterThinking, Text }

    /// <summary>Feeds content; calls back with (isThinking, text) pieces in order.</summary>
    public void Process(string content, Action<bool, string> emit)
    {
        if (_state == State.Text)
        {
            emit(false, content);
            return;
        }

        _pending.Append(content);
        Drain(emit, final: false);
    }

    public void Flush(Action<bool, string> emit) => Drain(emit, final: true);

    private void Drain(Action<bool, string> emit, bool final)
    {
        while (_pending.Length > 0)
        {
            string pending = _pending.ToString();
            switch (_state)
            {
                case State.Undecided:
                    string trimmed = pending.TrimStart();
                    if (trimmed.StartsWith(OpenTag, StringComparison.Ordinal))
                    {
                        _pending.Clear().Append(trimmed, OpenTag.Length, trimmed.Length - OpenTag.Length);
                        _state = State.Thinking;
                        continue;
                    }

                    if (!final && OpenTag.StartsWith(trimmed, StringComparison.Ordinal))
                    {
                        return;
                    }

                    _state = State.Text;
                    _pending.Clear();
                    emit(false, pending);
                    return;

                case State.Thinking:
                    int close = pending.IndexOf(CloseTag, StringComparison.Ordinal);
                    if (close >= 0)
                    {
                        if (close > 0)
                        {
                            emit(true, pending[..close]);
                        }

                        _pending.Clear().Append(pending, close + CloseTag.Length, pending.Length - close - CloseTag.Length);
                        _state = State.AfterThinking;
                        continue;
                    }

                    int keep = final ? 0 : PartialSuffix(pending, CloseTag);
                    if (pending.Length > keep)
                    {
                        emit(true, pending[..^keep]);
                        _pending.Remove(0, pending.Length - keep);
                    }

                    return;

                case State.AfterThinking:
                    // The blank lines between "</think>" and the answer belong to neither.
                    string answer = pending.TrimStart();
                    if (answer.Length == 0 && !final)
                    {
                        _pending.Clear();
                        return;
                    }

                    _state = State.Text;
                    _pending.Clear();
                    if (answer.Length > 0)
                    {
                        emit(false, answer);
                    }

                    return;

                default:
                    _pending.Clear();
                    emit(false, pending);
                    return;
            }
        }
    }

    /// <summary>The length of the longest suffix of <paramref name="text"/> that is a proper prefix of <paramref name="tag"/>.</summary>
    internal static int PartialSuffix(string text, string tag)
    {
        for (int length = Math.Min(tag.Length - 1, text.Length); length > 0; length--)
        {
            if (text.AsSpan(text.Length - length).SequenceEqual(tag.AsSpan(0, length)))
            {
                return length;
            }
        }

        return 0;
    }
}
