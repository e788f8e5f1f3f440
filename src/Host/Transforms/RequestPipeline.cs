using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.Host.Transforms;

/// <summary>The ordered request transforms every request passes through before its backend renders it.</summary>
internal sealed class RequestPipeline(IReadOnlyList<IRequestTransform> transforms)
{
    public static RequestPipeline BuiltIn { get; } = new(
    [
        new StripBillingHeaderTransform(),
        new DropCacheControlTransform(),
        new ClampMaxTokensTransform(),
    ]);

    public IReadOnlyList<IRequestTransform> Transforms { get; } = transforms;

    public async ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        foreach (var transform in Transforms)
        {
            await transform.ApplyAsync(context, cancellationToken).ConfigureAwait(false);
        }
    }
}
