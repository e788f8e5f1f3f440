using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// For a backend without tool support (<c>supportsTools: false</c>): removes <c>tools</c> and <c>tool_choice</c>,
/// and turns the conversation's <c>tool_use</c> and <c>tool_result</c> blocks into plain text, so a chat template
/// without tool roles does not reject the history. The text is a pure function of the block, so earlier turns
/// keep the same bytes and the prefix cache still hits.
/// </summary>
internal sealed class StripToolsTransform : IRequestTransform
{
    public const string TransformName = "strip-tools";

    public string Name => TransformName;

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        Apply(context.Request);
        return ValueTask.CompletedTask;
    }

    public static void Apply(MessagesRequest request)
    {
        request.Tools = null;
        request.ToolChoice = null;
        Dictionary<string, string>? names = null;
        foreach (var message in request.Messages)
        {
            var content = message.Content;
            for (int i = 0; i < content.Count; i++)
            {
                switch (content[i])
                {
                    case ToolUseBlock use:
                        (names ??= new(StringComparer.Ordinal))[use.Id] = use.Name;
                        content[i] = new TextBlock($"[tool call {use.Name}: {(use.Input.ValueKind == default ? "{}" : use.Input.GetRawText())}]");
                        break;
                    case ToolResultBlock result:
                        string name = names is not null && names.TryGetValue(result.ToolUseId, out var n) ? n : result.ToolUseId;
                        content[i] = new TextBlock($"[tool result {name}{(result.IsError == true ? " (error)" : "")}: {TextOf(result.Content)}]");
                        break;
                }
            }
        }
    }

    private static string TextOf(List<ContentBlock>? blocks)
    {
        if (blocks is null || blocks.Count == 0)
        {
            return "";
        }

        if (blocks is [TextBlock only])
        {
            return only.Text;
        }

        var text = new StringBuilder();
        foreach (var block in blocks)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(block is TextBlock t ? t.Text : $"[{block.Type}]");
        }

        return text.ToString();
    }
}
