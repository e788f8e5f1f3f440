namespace AnyClaude.Host.Requests;

/// <summary>
/// What a request is for: Claude Code's own word (its <c>x-claude-code-request-class</c> header, protocol.md 1b) refined
/// by the body's exact marks (protocol.md 1a), see <see cref="RequestClassifier"/>. Computed once per request.
/// </summary>
internal enum RequestClass
{
    /// <summary>A turn of the main conversation (header <c>main</c>, or anything without another mark).</summary>
    Turn,

    /// <summary><c>/compact</c> or auto-compact: shares the conversation's prefix, so it is never background.</summary>
    Compaction,

    /// <summary>A subagent's turn (header <c>subagent</c>, <c>x-claude-code-agent-id</c> or a <c>SubagentHandback</c> tool): a conversation of its own.</summary>
    Subagent,

    /// <summary>A workflow's turn (header <c>workflow</c>).</summary>
    Workflow,

    /// <summary>A helper request Claude Code marks <c>auxiliary</c> (memory extraction, summaries, …) that no body mark makes more specific.</summary>
    Auxiliary,

    /// <summary>The session-title side call.</summary>
    Title,

    /// <summary>The topic-detection side call of older versions (2.1.197).</summary>
    Topic,

    /// <summary>The <c>/model</c> probe: <c>max_tokens: 1</c>, one <c>Hi</c>, no tools.</summary>
    Probe,

    /// <summary>The auto-mode safety classifier: a security decision on the strong model, not background.</summary>
    Classifier,

    /// <summary><c>POST /v1/messages/count_tokens</c>.</summary>
    Count,
}

internal static class RequestClasses
{
    /// <summary>The names <c>when.class</c> accepts, as <c>anyclaude status</c> shows them.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<RequestClass>().Select(NameOf).ToList();

    public static string NameOf(RequestClass value) => value switch
    {
        RequestClass.Turn => "turn",
        RequestClass.Compaction => "compaction",
        RequestClass.Subagent => "subagent",
        RequestClass.Workflow => "workflow",
        RequestClass.Auxiliary => "auxiliary",
        RequestClass.Title => "title",
        RequestClass.Topic => "topic",
        RequestClass.Probe => "probe",
        RequestClass.Classifier => "classifier",
        RequestClass.Count => "count",
        _ => value.ToString().ToLowerInvariant(),
    };

    /// <summary>The class's name with its kind (a subagent's agent type, an auxiliary request's type) when Claude Code gave one: <c>auxiliary/memory</c>.</summary>
    public static string NameOf(RequestClass value, string? kind) => kind is null ? NameOf(value) : $"{NameOf(value)}/{kind}";

    /// <summary>Requests that carry a conversation of their own, turn after turn (its prefix grows; cache affinity and rewarm keep it).</summary>
    public static bool IsConversation(RequestClass value) => value is RequestClass.Turn or RequestClass.Compaction or RequestClass.Subagent or RequestClass.Workflow;

    public static bool TryParse(string? name, out RequestClass value)
    {
        foreach (var candidate in Enum.GetValues<RequestClass>())
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
