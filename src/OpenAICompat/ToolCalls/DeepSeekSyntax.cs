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
    public static List<(string Name, string Arguments)>? Read(string body) =>
        MarkedCalls.Read(body, CallBegin, CallEnd, Separator, (header, rest) => header == "function" ? FencedCall(rest) : (header, rest));

    /// <summary>V3's form: the name on the first line, then the arguments in a ```json fence.</summary>
    private static (string Name, string Arguments) FencedCall(string text)
    {
        int newline = text.IndexOf('\n');
        string name = (newline < 0 ? text : text[..newline]).Trim();
        string rest = newline < 0 ? "" : text[(newline + 1)..].Trim();
        if (rest.StartsWith("```", StringComparison.Ordinal))
        {
            int open = rest.IndexOf('\n');
            int close = rest.LastIndexOf("```", StringComparison.Ordinal);
            rest = open >= 0 && close > open ? rest[(open + 1)..close] : rest.TrimStart('`');
        }

        return (name, rest);
    }
}
