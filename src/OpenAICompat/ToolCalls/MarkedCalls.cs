namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// Calls written one after another as <c>BEGIN header SEPARATOR rest END</c> (DeepSeek's and Kimi's tokens): each call's
/// trimmed header and the text after its separator, which the format turns into a name and arguments. The last call
/// may lack its end marker (the answer stopped there).
/// </summary>
internal static class MarkedCalls
{
    /// <summary>Each call's name and arguments text; null when a call has no separator.</summary>
    public static List<(string Name, string Arguments)>? Read(
        string body,
        string callBegin,
        string callEnd,
        string separator,
        Func<string, string, (string Name, string Arguments)> interpret)
    {
        var calls = new List<(string, string)>();
        int at = body.IndexOf(callBegin, StringComparison.Ordinal);
        while (at >= 0)
        {
            int start = at + callBegin.Length;
            int end = body.IndexOf(callEnd, start, StringComparison.Ordinal);
            string call = end < 0 ? body[start..] : body[start..end];
            int split = call.IndexOf(separator, StringComparison.Ordinal);
            if (split < 0)
            {
                return null;
            }

            calls.Add(interpret(call[..split].Trim(), call[(split + separator.Length)..]));
            at = end < 0 ? -1 : body.IndexOf(callBegin, end, StringComparison.Ordinal);
        }

        return calls;
    }
}
