using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Routing;

/// <summary>A quick estimate of a prompt's size in tokens (about four characters a token), for <c>minPromptTokens</c>.</summary>
internal static class PromptSize
{
    public static int EstimateTokens(MessagesRequest request)
    {
        long characters = 0;
        foreach (var block in request.System ?? [])
        {
            characters += block.Text.Length;
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
                TextBlock text => text.Text.Length,
                ToolUseBlock toolUse => toolUse.Name.Length + Raw(toolUse.Input),
                ToolResultBlock { Content: { } inner } => Count(inner),
                ThinkingBlock thinking => thinking.Thinking.Length,
                _ => 0,
            };
        }

        return characters;
    }

    private static int Raw(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? 0 : element.GetRawText().Length;
}
