using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// Drops every <c>cache_control</c> marker. Claude Code moves the marker to the newest block each turn; a
/// backend that saw it would see earlier bytes change and lose its prefix cache.
/// </summary>
internal sealed class DropCacheControlTransform : IRequestTransform
{
    public string Name => "drop-cache-control";

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        foreach (var block in request.System ?? [])
        {
            block.CacheControl = null;
        }

        foreach (var tool in request.Tools ?? [])
        {
            tool.CacheControl = null;
        }

        foreach (var message in request.Messages)
        {
            foreach (var block in message.Content)
            {
                Drop(block);
            }
        }

        return ValueTask.CompletedTask;
    }

    private static void Drop(ContentBlock block)
    {
        block.CacheControl = null;
        if (block is ToolResultBlock { Content: { } nested })
        {
            foreach (var inner in nested)
            {
                Drop(inner);
            }
        }
    }
}
