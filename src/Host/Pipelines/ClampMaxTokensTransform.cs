using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.Host.Pipelines;

/// <summary>Claude Code asks for 32k–64k output tokens; a local server gets at most its backend's configured maximum.</summary>
internal sealed class ClampMaxTokensTransform : IRequestTransform
{
    public string Name => "clamp-max-tokens";

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        int limit = context.Backend.Capabilities.MaxOutputTokens;
        var request = context.Request;
        request.MaxTokens = request.MaxTokens is { } asked ? Math.Min(asked, limit) : limit;
        return ValueTask.CompletedTask;
    }
}
