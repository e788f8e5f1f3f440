
namespace AnyClaude.Abstractions.Responses;

/// <summary>
/// The <c>think-tags</c> response step: an answer that opens with <c>&lt;think&gt;…&lt;/think&gt;</c> (a server that
/// leaves the model's reasoning in the content) becomes a thinking block, closed by a signature, then the text.
/// </summary>
public sealed class ThinkTagTransform : HeldTextTransform
{
    public const string TransformName = "think-tags";

    public override string Name => TransformName;

    protected override HeldTextScanner? CreateScanner(ResponseContext context) => new ThinkTagScanner();
}
