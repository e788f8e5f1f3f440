namespace AnyClaude.Host.Routing;

/// <summary>What a request is for, from Claude Code's exact marks (protocol.md 1a). Computed once per request.</summary>
internal enum RequestClass
{
    /// <summary>A conversation turn (anything without another mark).</summary>
    Turn,

    /// <summary><c>/compact</c> or auto-compact: shares the conversation's prefix, so it is never background.</summary>
    Compaction,

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
        RequestClass.Title => "title",
        RequestClass.Topic => "topic",
        RequestClass.Probe => "probe",
        RequestClass.Classifier => "classifier",
        RequestClass.Count => "count",
        _ => value.ToString().ToLowerInvariant(),
    };

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
