using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// Claude Code's <c>&lt;system-reminder&gt;</c> text blocks: the context it puts in a user message ahead of the user's
/// own words (CLAUDE.md, skills), the same in every session of a project.
/// </summary>
internal static class SystemReminders
{
    private const string Mark = "<system-reminder>";

    /// <summary>How many of the message's first blocks are reminders; never its last block, where the user's words are.</summary>
    public static int LeadingCount(Message message)
    {
        int count = 0;
        while (count < message.Content.Count - 1
            && message.Content[count] is TextBlock text
            && text.Text.AsSpan().TrimStart().StartsWith(Mark, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>The text as one reminder block's text.</summary>
    public static string Wrap(string text) => $"{Mark}\n{text}\n</system-reminder>";
}
