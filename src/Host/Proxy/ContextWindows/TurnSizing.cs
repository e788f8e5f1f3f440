namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// Whether a conversation's turn can do without an exact count, given an upper bound on its prompt
/// (<see cref="GrownPrompt"/>: the last exact count plus at most what was appended since). The exact count is what
/// refuses a prompt and names its size, so the bound may stand in for it only where no count could refuse the prompt:
/// <list type="bullet">
/// <item>the bound leaves the whole answer room: <c>max_tokens</c> stays as asked;</item>
/// <item>the bound leaves at least <see cref="EdgeRoomTokens"/> of room and is at most <see cref="ClampMarginTokens"/>
/// above the exact count: <c>max_tokens</c> becomes the room the bound leaves, at most that margin under the exact room
/// (Claude Code asks for 32,000 on any window, so without this every turn past half a 32k window was counted);</item>
/// <item>otherwise (near the edge, or too many bytes appended since the last exact count) the prompt is counted.</item>
/// </list>
/// </summary>
internal static class TurnSizing
{
    /// <summary>At most how far a <c>max_tokens</c> clamped to the bound may fall under the exact room.</summary>
    public const int ClampMarginTokens = 2048;

    /// <summary>A bound that leaves less room than this (and less than the answer asked for) is near the edge: counted exactly.</summary>
    public const int EdgeRoomTokens = 8192;

    /// <summary>The <c>max_tokens</c> to send without counting the prompt, or null when it must be counted exactly.</summary>
    public static int? MaxTokensWithoutCount(GrownPrompt bound, int asked, int window)
    {
        long room = window - bound.Tokens;
        if (asked <= room)
        {
            return asked;
        }

        return room >= EdgeRoomTokens && bound.Slack <= ClampMarginTokens ? (int)room : null;
    }
}
