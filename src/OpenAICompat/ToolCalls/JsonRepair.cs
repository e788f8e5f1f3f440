using System.Text;
using System.Text.Json;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// Makes slightly broken JSON from a model valid: trailing commas, single-quoted strings, raw newlines and other
/// control characters in strings, unquoted keys, Python's <c>True</c>/<c>False</c>/<c>None</c>, quotes inside a
/// string, and missing closing quotes and brackets at the end. Valid JSON is returned as it is.
/// </summary>
public static class JsonRepair
{
    /// <summary>The text as a JSON value (repaired when needed), or null when it cannot be made one.</summary>
    public static string? TryRepair(string text)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        if (IsValid(trimmed))
        {
            return trimmed;
        }

        string repaired = Rewrite(trimmed);
        return IsValid(repaired) ? repaired : null;
    }

    /// <summary>The text as a JSON object (repaired when needed), or null when it is not one.</summary>
    public static string? TryRepairObject(string text) =>
        TryRepair(text) is { } json && json[0] == '{' ? json : null;

    private static bool IsValid(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Rewrite(string text)
    {
        var output = new StringBuilder(text.Length + 16);
        var open = new Stack<char>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            switch (c)
            {
                case '"' or '\'':
                    i = CopyString(text, i, output);
                    continue;
                case '{':
                    open.Push('}');
                    output.Append(c);
                    break;
                case '[':
                    open.Push(']');
                    output.Append(c);
                    break;
                case '}' or ']':
                    DropTrailingComma(output);
                    if (open.Count > 0 && open.Peek() == c)
                    {
                        open.Pop();
                        output.Append(c);
                    }

                    break;
                default:
                    if (char.IsLetter(c) || c == '_' || c == '$')
                    {
                        int end = i;
                        while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is '_' or '$'))
                        {
                            end++;
                        }

                        string word = text[i..end];
                        int next = end;
                        while (next < text.Length && char.IsWhiteSpace(text[next]))
                        {
                            next++;
                        }

                        bool isKey = next < text.Length && text[next] == ':';
                        output.Append(isKey ? $"\"{word}\"" : word switch
                        {
                            "True" => "true",
                            "False" => "false",
                            "None" or "undefined" => "null",
                            _ => word,
                        });
                        i = end;
                        continue;
                    }

                    output.Append(c);
                    break;
            }

            i++;
        }

        DropTrailingComma(output);
        if (output.Length > 0 && output[^1] == ':')
        {
            output.Append("null");
        }

        while (open.Count > 0)
        {
            DropTrailingComma(output);
            output.Append(open.Pop());
        }

        return output.ToString();
    }

    /// <summary>Copies one string literal as a valid JSON string; returns the index after it.</summary>
    private static int CopyString(string text, int start, StringBuilder output)
    {
        char quote = text[start];
        output.Append('"');
        int i = start + 1;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                char escaped = text[i + 1];
                if (escaped == '\'')
                {
                    output.Append('\'');
                }
                else if (escaped is '"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't' or 'u')
                {
                    output.Append(c).Append(escaped);
                }
                else
                {
                    output.Append("\\\\").Append(escaped);
                }

                i += 2;
                continue;
            }

            if (c == quote && EndsString(text, i + 1))
            {
                output.Append('"');
                return i + 1;
            }

            switch (c)
            {
                case '"':
                    output.Append("\\\"");
                    break;
                case '\n':
                    output.Append("\\n");
                    break;
                case '\r':
                    output.Append("\\r");
                    break;
                case '\t':
                    output.Append("\\t");
                    break;
                case < ' ':
                    output.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    output.Append(c);
                    break;
            }

            i++;
        }

        output.Append('"');
        return i;
    }

    /// <summary>A quote ends its string when what follows it could follow a string (else it is a quote inside it).</summary>
    private static bool EndsString(string text, int after)
    {
        while (after < text.Length && text[after] is ' ' or '\t' or '\r' or '\n')
        {
            after++;
        }

        return after >= text.Length || text[after] is ',' or '}' or ']' or ':';
    }

    private static void DropTrailingComma(StringBuilder output)
    {
        int end = output.Length;
        while (end > 0 && char.IsWhiteSpace(output[end - 1]))
        {
            end--;
        }

        if (end > 0 && output[end - 1] == ',')
        {
            output.Length = end - 1;
        }
    }
}
