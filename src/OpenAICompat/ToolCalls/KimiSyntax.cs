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
    public static List<(string Name, string Arguments)>? Read(string body) =>
        MarkedCalls.Read(body, CallBegin, CallEnd, ArgumentBegin, (header, arguments) => (NameOf(header), arguments));

    /// <summary><c>functions.NAME:INDEX</c> → <c>NAME</c>.</summary>
    private static string NameOf(string id)
    {
        int colon = id.LastIndexOf(':');
        string name = colon > 0 ? id[..colon] : id;
        return name.StartsWith("functions.", StringComparison.Ordinal) ? name["functions.".Length..] : name;
    }
}
