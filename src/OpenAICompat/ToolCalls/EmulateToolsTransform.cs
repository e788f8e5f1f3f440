using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// The <c>emulate-tools</c> request transform, for servers or models without tool support: the tool definitions go
/// into the system prompt in <paramref name="format"/>'s own style, the conversation's <c>tool_use</c> and
/// <c>tool_result</c> blocks become text in the same style, and no <c>tools</c> go upstream. The
/// <c>text-tool-calls</c> response step then reads the calls the model prints.
/// </summary>
public sealed class EmulateToolsTransform(ToolCallFormat format) : IRequestTransform
{
    public const string TransformName = "emulate-tools";

    public string Name => TransformName;

    public ToolCallFormat Format { get; } = format;

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        if (Apply(context.Request, Format) is { } tools)
        {
            EmulatedTools.Remember(context.Call, tools);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Rewrites the request; returns the tools it offered (null when none).</summary>
    public static List<Tool>? Apply(MessagesRequest request, ToolCallFormat format)
    {
        var tools = request.Tools is { Count: > 0 } offered ? offered : null;
        request.Tools = null;
        request.ToolChoice = null;
        if (tools is not null)
        {
            (request.System ??= []).Add(new TextBlock(ToolCallPrinter.Instructions(format, tools)));
        }

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
                        content[i] = new TextBlock(ToolCallPrinter.Call(format, use.Name, use.Input));
                        break;
                    case ToolResultBlock result:
                        string name = names is not null && names.TryGetValue(result.ToolUseId, out var n) ? n : "the tool";
                        content[i] = new TextBlock(ToolCallPrinter.Result(format, name, TextOf(result.Content), result.IsError == true));
                        break;
                }
            }
        }

        return tools;
    }

    private static string TextOf(List<ContentBlock>? blocks)
    {
        if (blocks is null or [])
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
            text.Append(text.Length > 0 ? "\n" : "").Append(block is TextBlock t ? t.Text : $"[{block.Type}]");
        }

        return text.ToString();
    }
}
