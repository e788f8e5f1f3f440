namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// DeepSeek's tool-call tokens (fullwidth bar, lower-one-eighth block). V3 writes
/// <c>&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;NAME\n```json\n{…}\n```&lt;｜tool▁call▁end｜&gt;</c>; V3.1 writes
/// <c>&lt;｜tool▁call▁begin｜&gt;NAME&lt;｜tool▁sep｜&gt;{…}&lt;｜tool▁call▁end｜&gt;</c>; both inside the calls-begin and -end pair.
/// </summary>
internal static class DeepSeekSyntax
{
    public const string CallsBegin = "<｜tool▁calls▁begin｜>";
    public const string CallsEnd = "<｜tool▁calls▁end｜>";
    public const string CallBegin = "<｜tool▁call▁begin｜>";
    public const string CallEnd = "<｜tool▁call▁end｜>";
    public const string Separator = "<｜tool▁sep｜>";

    /// <summary>Each call's name and arguments text; null when a call is malformed.</summary>
    public static List<(string Name, string Arguments)>? Read(string body)
    {
        var calls = new List<(string, string)>();
        int at = body.IndexOf(CallBegin, StringComparison.Ordinal);
        while (at >= 0)
        {
            int start = at + CallBegin.Length;
            int end = body.IndexOf(CallEnd, start, StringComparison.Ordinal);
            string call = end < 0 ? body[start..] : body[start..end];
            int separator = call.IndexOf(Separator, StringComparison.Ordinal);
            if (separator < 0)
            {
                return null;
            }

            string left = call[..separator].Trim();
            string right = call[(separator + Separator.Length)..];
            if (left == "function")
            {
                int newline = right.IndexOf('\n');
                string name = (newline < 0 ? right : right[..newline]).Trim();
                string rest = newline < 0 ? "" : right[(newline + 1)..].Trim();
                if (rest.StartsWith("```", StringComparison.Ordinal))
                {
                    int open = rest.IndexOf('\n');
                    int close = rest.LastIndexOf("```", StringComparison.Ordinal);
                    rest = open >= 0 && close > open ? rest[(open + 1)..close] : rest.TrimStart('`');
                }

                calls.Add((name, rest));
            }
            else
            {
                calls.Add((left, right));
            }

            at = end < 0 ? -1 : body.IndexOf(CallBegin, end, StringComparison.Ordinal);
        }

        return calls;
    }
}
