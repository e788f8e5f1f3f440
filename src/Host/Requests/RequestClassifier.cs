using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Requests;

/// <summary>
/// Recognises what a request is for from Claude Code's hint headers (protocol.md 1b) and its side requests' exact marks
/// (protocol.md 1a). Every mark check looks at the start of a text block through <see cref="TextBlock.TextStartsWith"/>,
/// so a 10 KB system prompt is not decoded to classify it.
/// </summary>
internal static class RequestClassifier
{
    public const string TitleMark = "You are naming a coding session";
    public const string OlderTitleMark = "Generate a concise, sentence-case title";
    public const string TopicMark = "Analyze if this message indicates a new conversation topic";
    public const string ClassifierMark = "You are a security monitor for autonomous AI coding agents.";
    public const string CompactionMark = "CRITICAL: Respond with TEXT ONLY. Do NOT call any tools.";

    /// <summary>The tool a 2.1.337 subagent hands its result back with (protocol.md 1b).</summary>
    public const string SubagentHandbackTool = "SubagentHandback";

    /// <summary>
    /// The small/fast model name anyclaude gives Claude Code when it launches it (unless the user set one): a request
    /// for exactly this name is one of Claude Code's side calls, so background.
    /// </summary>
    public const string BackgroundModel = "claude-haiku-anyclaude";

    /// <summary>The class from the body alone (older versions, other clients).</summary>
    public static RequestClass Classify(MessagesRequest request, bool countTokens) => Classify(request, countTokens, ClaudeCodeHints.None).Class;

    /// <summary>
    /// Claude Code's header and the body's marks together. The body's exact marks win where they are more specific
    /// (the safety classifier, the title, the topic detection, the <c>/model</c> probe, compaction): an
    /// <c>auxiliary</c> request that is the title request is still <c>title</c> (answered locally), and the classifier
    /// is always <c>classifier</c> whatever the header says (never answered locally). Otherwise the header decides
    /// (<c>main</c> is <c>turn</c>); without it (older versions, other clients) a subagent is recognised by its
    /// <c>x-claude-code-agent-id</c> header or its <c>SubagentHandback</c> tool, and anything else is a turn. A header
    /// value it does not know counts as no header.
    /// </summary>
    public static Classification Classify(MessagesRequest request, bool countTokens, ClaudeCodeHints hints)
    {
        if (countTokens)
        {
            return new(RequestClass.Count);
        }

        if (BodyMark(request) is { } marked)
        {
            return new(marked);
        }

        switch (hints.RequestClass)
        {
            case "main":
                return new(RequestClass.Turn);
            case "compaction":
                return new(RequestClass.Compaction);
            case "subagent":
                return new(RequestClass.Subagent, hints.AgentType);
            case "workflow":
                return new(RequestClass.Workflow);
            case "auxiliary":
                return new(RequestClass.Auxiliary, hints.AuxiliaryType);
        }

        return hints.AgentId is not null || HasTool(request, SubagentHandbackTool)
            ? new(RequestClass.Subagent, hints.AgentType)
            : new(RequestClass.Turn);
    }

    private static RequestClass? BodyMark(MessagesRequest request)
    {
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

        return IsCompaction(request) ? RequestClass.Compaction : null;
    }

    private static bool HasTool(MessagesRequest request, string name)
    {
        foreach (var tool in request.Tools ?? [])
        {
            if (string.Equals(tool.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Background: the title and topic side calls, and anything else asked of the small/fast model anyclaude set. An
    /// <c>auxiliary</c> request on the main model is not: many are forks of the conversation (memory extraction sends
    /// the whole conversation with <c>forkContextMessages</c>), cheap only where the conversation's prefix is cached.
    /// </summary>
    public static bool IsBackground(RequestClass requestClass, string model) => requestClass switch
    {
        RequestClass.Title or RequestClass.Topic => true,
        RequestClass.Turn or RequestClass.Subagent or RequestClass.Workflow or RequestClass.Auxiliary => string.Equals(model, BackgroundModel, StringComparison.OrdinalIgnoreCase),
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

/// <summary>A request's class and, where Claude Code named one, its kind (a subagent's agent type, an auxiliary request's type).</summary>
internal readonly record struct Classification(RequestClass Class, string? Kind = null)
{
    /// <summary>What the log line, <c>anyclaude status</c>, the dashboard and the metrics show: <c>subagent/Explore</c>, <c>turn</c>.</summary>
    public string Name => RequestClasses.NameOf(Class, Kind);
}
