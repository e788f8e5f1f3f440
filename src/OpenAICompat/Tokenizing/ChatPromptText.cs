using System.Text;
using System.Text.Json;

namespace AnyClaude.OpenAICompat.Tokenizing;

/// <summary>
/// A rendered Chat Completions body as a chat template roughly lays it out for the model, to count locally: ChatML's
/// markers (<c>&lt;|im_start|&gt;role … &lt;|im_end|&gt;</c>, which Qwen's tokenizer counts as one token each), the tools' JSON in the
/// system turn, each message's text and its tool calls' JSON, then the generation prompt. Real templates differ in their
/// markers and in how they phrase the tools' preamble: a few tokens a message, which is the approximation local counts carry.
/// </summary>
internal static class ChatPromptText
{
    public static string Render(ReadOnlySpan<byte> chatBody)
    {
        var reader = new Utf8JsonReader(chatBody);
        using var document = JsonDocument.ParseValue(ref reader);
        var body = document.RootElement;
        var prompt = new StringBuilder(chatBody.Length);
        var messages = body.TryGetProperty("messages", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];
        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array)
        {
            // Templates put the tools in the system turn, after the system prompt.
            prompt.Append("<|im_start|>system\n");
            if (messages.Count > 0 && Role(messages[0]) == "system")
            {
                AppendContent(prompt, messages[0]);
                prompt.Append("\n\n");
                messages.RemoveAt(0);
            }

            prompt.Append("# Tools\n\n<tools>\n");
            foreach (var tool in tools.EnumerateArray())
            {
                prompt.Append(tool.GetRawText()).Append('\n');
            }

            prompt.Append("</tools><|im_end|>\n");
        }

        foreach (var message in messages)
        {
            prompt.Append("<|im_start|>").Append(Role(message)).Append('\n');
            AppendContent(prompt, message);
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    prompt.Append("\n<tool_call>\n").Append(call.TryGetProperty("function", out var function) ? function.GetRawText() : call.GetRawText()).Append("\n</tool_call>");
                }
            }

            prompt.Append("<|im_end|>\n");
        }

        return prompt.Append("<|im_start|>assistant\n").ToString();
    }

    private static string Role(JsonElement message) =>
        message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String ? role.GetString()! : "user";

    private static void AppendContent(StringBuilder prompt, JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            prompt.Append(content.GetString());
            return;
        }

        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in content.EnumerateArray())
            {
                if (part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    prompt.Append(text.GetString());
                }
            }
        }
    }
}
