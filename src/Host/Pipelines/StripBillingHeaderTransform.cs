using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// Removes the system block Claude Code starts with <c>x-anthropic-billing-header:</c>: its text changes every
/// session, and it comes first, so it would make every prompt miss the backend's prefix cache.
/// </summary>
internal sealed class StripBillingHeaderTransform : IRequestTransform
{
    public const string Prefix = "x-anthropic-billing-header:";

    public string Name => "strip-billing-header";

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        context.Request.System?.RemoveAll(block => block.TextStartsWith(Prefix));
        return ValueTask.CompletedTask;
    }
}
