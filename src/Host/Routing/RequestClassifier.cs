using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Routing;

/// <summary>
/// Recognises Claude Code's side requests by their exact marks (protocol.md 1a). Every check looks at the start of a
/// text block through <see cref="TextBlock.TextStartsWith"/>, so a 10 KB system prompt is not decoded to classify it.
/// </summary>
internal static class RequestClassifier
{
    public const string TitleMark = "You are naming a coding session";
    public const string OlderTitleMark = "Generate a concise, sentence-case title";
    public const string TopicMark = "Analyze if this message indicates a new conversation topic";
    public const string ClassifierMark = "You are a security monitor for autonomous AI coding agents.";
    public const string CompactionMark = "CRITICAL: Respond with TEXT ONLY. Do NOT call any tools.";

    /// <summary>
    /// The small/fast model name anyclaude gives Claude Code when it launches it (unless the user set one): a request
    /// for exactly this name is one of Claude Code's side calls, so background.
    /// </summary>
    public const string BackgroundModel = "claude-haiku-anyclaude";

    public static RequestClass Classify(MessagesRequest request, bool countTokens)
    {
        if (countTokens)
        {
            return RequestClass.Count;
        }

        if (IsProbe(request))
        {
            return RequestClass.Probe;
        }

        if (request.System is { } system)
        {
            foreach (var block in system)
            {
                if (block.TextStartsWith(ClassifierMark))
                {
                    return RequestClass.Classifier;
                }

                if (block.TextStartsWith(TitleMark) || block.TextStartsWith(OlderTitleMark))
                {
                    return RequestClass.Title;
                }

                if (block.TextStartsWith(TopicMark))
                {
                    return RequestClass.Topic;
                }
            }
        }

        return IsCompaction(request) ? RequestClass.Compaction : RequestClass.Turn;
    }

    /// <summary>Background: the title and topic side calls, and anything asked of the small/fast model anyclaude set.</summary>
    public static bool IsBackground(RequestClass requestClass, string model) => requestClass switch
    {
        RequestClass.Title or RequestClass.Topic => true,
        RequestClass.Turn => string.Equals(model, BackgroundModel, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static bool IsProbe(MessagesRequest request) =>
        request is { MaxTokens: 1, Tools: null, Messages: [{ Role: MessageRoles.User, Content: [TextBlock text] }] }
        && text.TextStartsWith("Hi") && text.Text == "Hi";

    private static bool IsCompaction(MessagesRequest request)
    {
        if (request.Messages is not [.., { Role: MessageRoles.User } last])
        {
            return false;
        }

        foreach (var block in last.Content)
        {
            if (block is TextBlock text && text.TextStartsWith(CompactionMark))
            {
                return true;
            }
        }

        return false;
    }
}
