using AnyClaude.Abstractions.Responses;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// The <c>text-tool-calls</c> response step: tool calls the model printed as text (in <paramref name="format"/>,
/// or any known format for <see cref="ToolCallFormat.Auto"/>) become <c>tool_use</c> blocks. A call to a tool the
/// request did not offer, or one whose arguments cannot be made an object, stays text and is reported. Requests
/// without tools (offered, or taken out by <see cref="EmulateToolsTransform"/>) pass untouched.
/// </summary>
public sealed class TextToolCallTransform(ToolCallFormat format = ToolCallFormat.Auto) : HeldTextTransform
{
    public const string TransformName = "text-tool-calls";

    public override string Name => TransformName;

    public ToolCallFormat Format { get; } = format;

    protected override HeldTextScanner? CreateScanner(ResponseContext context) =>
        Format == ToolCallFormat.None || (context.Request.Tools ?? EmulatedTools.For(context.Call)) is not { Count: > 0 } tools
            ? null
            : new TextToolCallScanner(Format, new OfferedTools(tools), context);
}
