using System.Text.RegularExpressions;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>The pieces of the printed formats that are not JSON: brackets to balance, and the XML-like bodies.</summary>
internal static partial class PrintedCallSyntax
{
    /// <summary>The index just after the bracket that closes the one at <paramref name="start"/>, or -1 when it has not come yet.</summary>
    public static int JsonEnd(ReadOnlySpan<char> text, int start)
    {
        int depth = 0;
        char quote = '\0';
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            switch (c)
            {
                case '"' or '\'':
                    quote = c;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
            }
        }

        return -1;
    }

    /// <summary>
    /// A Qwen3-Coder body: <c>&lt;function=NAME&gt;</c> then <c>&lt;parameter=KEY&gt;\nvalue\n&lt;/parameter&gt;</c>
    /// pairs. A value runs to the <c>&lt;/parameter&gt;</c> that is followed by the next parameter or the end, so it
    /// may itself contain <c>&lt;</c> and <c>&lt;/</c>; a missing closing tag ends it at the next parameter.
    /// </summary>
    public static bool TryReadQwenCoder(string body, out string name, out List<KeyValuePair<string, string>> parameters)
    {
        const string FunctionTag = "<function=";
        const string ParameterTag = "<parameter=";
        const string ParameterEnd = "</parameter>";
        parameters = [];
        name = "";
        int function = body.IndexOf(FunctionTag, StringComparison.Ordinal);
        int nameEnd = function < 0 ? -1 : body.IndexOf('>', function);
        if (nameEnd < 0)
        {
            return false;
        }

        name = body[(function + FunctionTag.Length)..nameEnd].Trim();
        int functionEnd = body.LastIndexOf("</function>", StringComparison.Ordinal);
        string content = body[(nameEnd + 1)..(functionEnd > nameEnd ? functionEnd : body.Length)];
        int at = content.IndexOf(ParameterTag, StringComparison.Ordinal);
        while (at >= 0)
        {
            int keyEnd = content.IndexOf('>', at);
            if (keyEnd < 0)
            {
                return false;
            }

            string key = content[(at + ParameterTag.Length)..keyEnd].Trim();
            int valueStart = keyEnd + 1;
            int valueEnd = -1;
            int next = -1;
            for (int close = content.IndexOf(ParameterEnd, valueStart, StringComparison.Ordinal); close >= 0; close = content.IndexOf(ParameterEnd, close + 1, StringComparison.Ordinal))
            {
                int after = close + ParameterEnd.Length;
                while (after < content.Length && char.IsWhiteSpace(content[after]))
                {
                    after++;
                }

                if (after >= content.Length || content.AsSpan(after).StartsWith(ParameterTag))
                {
                    valueEnd = close;
                    next = after < content.Length ? after : -1;
                    break;
                }
            }

            if (valueEnd < 0)
            {
                next = content.IndexOf(ParameterTag, valueStart, StringComparison.Ordinal);
                valueEnd = next < 0 ? content.Length : next;
            }

            parameters.Add(new(key, TrimOneNewline(content[valueStart..valueEnd])));
            at = next;
        }

        return name.Length > 0 && !name.Any(char.IsWhiteSpace);
    }

    /// <summary>A GLM-4.5 body: the name, then <c>&lt;arg_key&gt;K&lt;/arg_key&gt;&lt;arg_value&gt;V&lt;/arg_value&gt;</c> pairs.</summary>
    public static bool TryReadGlm(string body, out string name, out List<KeyValuePair<string, string>> parameters)
    {
        int firstTag = body.IndexOf('<');
        name = (firstTag < 0 ? body : body[..firstTag]).Trim();
        parameters = [.. GlmPair().Matches(body).Select(m => new KeyValuePair<string, string>(m.Groups[1].Value.Trim(), m.Groups[2].Value))];
        return name.Length > 0 && !name.Any(char.IsWhiteSpace) && name.IndexOfAny(['{', '"', '[']) < 0;
    }

    private static string TrimOneNewline(string value)
    {
        if (value.StartsWith("\r\n", StringComparison.Ordinal))
        {
            value = value[2..];
        }
        else if (value.StartsWith('\n'))
        {
            value = value[1..];
        }

        if (value.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return value[..^2];
        }

        return value.EndsWith('\n') ? value[..^1] : value;
    }

    [GeneratedRegex(@"<arg_key>(.*?)</arg_key>\s*<arg_value>(.*?)</arg_value>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex GlmPair();
}
