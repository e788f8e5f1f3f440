using System.Runtime.InteropServices;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Requests;

/// <summary>
/// A quick estimate of a prompt's size in tokens (about four UTF-8 bytes a token), for <c>minPromptTokens</c>. It
/// measures texts and schemas as the client's JSON carries them, so it decodes and copies nothing.
/// </summary>
internal static class PromptSize
{
    public static int EstimateTokens(MessagesRequest request)
    {
        long characters = 0;
        foreach (var block in request.System ?? [])
        {
            characters += Length(block);
        }

        foreach (var tool in request.Tools ?? [])
        {
            characters += tool.Name.Length + (tool.Description?.Length ?? 0) + Raw(tool.InputSchema);
        }

        foreach (var message in request.Messages)
        {
            characters += Count(message.Content);
        }

        return (int)Math.Min(int.MaxValue, characters / 4);
    }

    private static long Count(List<ContentBlock> blocks)
    {
        long characters = 0;
        foreach (var block in blocks)
        {
            characters += block switch
            {
                TextBlock text => Length(text),
                ToolUseBlock toolUse => toolUse.Name.Length + Raw(toolUse.Input),
                ToolResultBlock { Content: { } inner } => Count(inner),
                ThinkingBlock thinking => thinking.Thinking.Length,
                _ => 0,
            };
        }

        return characters;
    }

    private static int Length(TextBlock text) => text.TryGetQuotedUtf8(out var quoted) ? quoted.Length - 2 : text.Text?.Length ?? 0;

    private static int Raw(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? 0 : JsonMarshal.GetRawUtf8Value(element).Length;
}
