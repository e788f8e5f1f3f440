namespace AnyClaude.Abstractions.Messages;

/// <summary>
/// Claude Code's <c>&lt;system-reminder&gt;</c> text blocks: the context it puts in a user message ahead of the user's
/// own words (CLAUDE.md, skills), and the form a system message takes where a chat template cannot have one.
/// </summary>
public static class SystemReminder
{
    private const string Open = "<system-reminder>";

    /// <summary>A message's text blocks, joined by a blank line, as one reminder's text.</summary>
    public static string Of(Message message) =>
        $"{Open}\n{string.Join("\n\n", message.Content.OfType<TextBlock>().Select(block => block.Text))}\n</system-reminder>";

    /// <summary>How many of the message's first blocks are reminders; never its last block, where the user's words are.</summary>
    public static int LeadingCount(Message message)
    {
        int count = 0;
        while (count < message.Content.Count - 1
            && message.Content[count] is TextBlock text
            && text.Text.AsSpan().TrimStart().StartsWith(Open, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
