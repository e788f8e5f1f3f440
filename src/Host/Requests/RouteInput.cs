using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Requests;

/// <summary>
/// What the routes look at, for one request. The costly facts (images anywhere, the prompt's size) are worked out
/// only when a route asks, and once.
/// </summary>
internal sealed class RouteInput(MessagesRequest request, RequestClass requestClass)
{
    private bool? _hasImages;
    private int? _promptTokens;

    public string Model => request.Model;

    public RequestClass Class => requestClass;

    public bool IsBackground { get; } = RequestClassifier.IsBackground(requestClass, request.Model);

    public bool HasTools => request.Tools is { Count: > 0 };

    public bool HasThinking => request.Thinking?.IsEnabled == true;

    public bool HasImages => _hasImages ??= request.Messages.Any(m => ContainsImage(m.Content));

    /// <summary>An estimate (UTF-8 characters / 4) of the prompt: system, tools and messages.</summary>
    public int PromptTokens => _promptTokens ??= PromptSize.EstimateTokens(request);

    private static bool ContainsImage(List<ContentBlock> blocks)
    {
        foreach (var block in blocks)
        {
            if (block is ImageBlock || block is ToolResultBlock { Content: { } inner } && ContainsImage(inner))
            {
                return true;
            }
        }

        return false;
    }
}
