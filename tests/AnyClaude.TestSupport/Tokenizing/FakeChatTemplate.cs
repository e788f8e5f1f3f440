using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AnyClaude.TestSupport;

/// <summary>
/// What the fakes' "model" does with a chat: a ChatML-style template over the messages (tools listed in the system
/// turn, tool calls and results inline) and a tokenizer that counts special markers, words and punctuation. Not any
/// real model's: just deterministic and unlike the proxy's four-bytes-per-token estimate, so a test can tell a count
/// the server made from one the proxy guessed.
/// </summary>
internal static partial class FakeChatTemplate
{
    public const int BosToken = 1;

    /// <summary>The prompt for a Chat Completions body's <c>messages</c> (and <c>tools</c>), ending with the assistant's turn.</summary>
    public static string Render(JsonElement body)
    {
        var prompt = new StringBuilder();
        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
        {
            prompt.Append("<|im_start|>tools\n");
            foreach (var tool in tools.EnumerateArray())
            {
                prompt.Append(tool.GetRawText()).Append('\n');
            }

            prompt.Append("<|im_end|>\n");
        }

        if (body.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in messages.EnumerateArray())
            {
                string role = message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "user";
                prompt.Append("<|im_start|>").Append(role).Append('\n').Append(Text(message)).Append("<|im_end|>\n");
            }
        }

        return prompt.Append("<|im_start|>assistant\n").ToString();
    }

    /// <summary>One id per special marker, word or punctuation character; BOS first when <paramref name="addSpecial"/>.</summary>
    public static List<int> Tokenize(string text, bool addSpecial)
    {
        var tokens = new List<int>();
        if (addSpecial)
        {
            tokens.Add(BosToken);
        }

        foreach (Match match in TokenPattern().Matches(text))
        {
            tokens.Add(100 + (match.Value.GetHashCode(StringComparison.Ordinal) & 0xFFFF));
        }

        return tokens;
    }

    private static string Text(JsonElement message)
    {
        var text = new StringBuilder();
        if (message.TryGetProperty("content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                text.Append(content.GetString());
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
                    {
                        text.Append(partText.GetString());
                    }
                    else
                    {
                        text.Append("<|image|>");
                    }
                }
            }
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                text.Append("<tool_call>").Append(call.GetRawText()).Append("</tool_call>");
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"<\|[a-z_]+\|>|\w+|[^\w\s]")]
    private static partial Regex TokenPattern();
}
