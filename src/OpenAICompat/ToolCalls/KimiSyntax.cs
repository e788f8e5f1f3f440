namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// Kimi K2's tool-call section: <c>&lt;|tool_call_begin|&gt;functions.NAME:INDEX&lt;|tool_call_argument_begin|&gt;{…}&lt;|tool_call_end|&gt;</c>
/// per call, inside <c>&lt;|tool_calls_section_begin|&gt;</c> and <c>&lt;|tool_calls_section_end|&gt;</c>.
/// </summary>
internal static class KimiSyntax
{
    public const string SectionBegin = "<|tool_calls_section_begin|>";
    public const string SectionEnd = "<|tool_calls_section_end|>";
    public const string CallBegin = "<|tool_call_begin|>";
    public const string ArgumentBegin = "<|tool_call_argument_begin|>";
    public const string CallEnd = "<|tool_call_end|>";

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
            int arguments = call.IndexOf(ArgumentBegin, StringComparison.Ordinal);
            if (arguments < 0)
            {
                return null;
            }

            string id = call[..arguments].Trim();
            int colon = id.LastIndexOf(':');
            string name = colon > 0 ? id[..colon] : id;
            if (name.StartsWith("functions.", StringComparison.Ordinal))
            {
                name = name["functions.".Length..];
            }

            calls.Add((name, call[(arguments + ArgumentBegin.Length)..]));
            at = end < 0 ? -1 : body.IndexOf(CallBegin, end, StringComparison.Ordinal);
        }

        return calls;
    }
}
