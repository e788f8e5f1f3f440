using System.Globalization;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// How much conversation a backend's window leaves Claude Code between its auto-compactions. Measured against Claude
/// Code 2.1.332 (told the window through <c>CLAUDE_CODE_MAX_CONTEXT_TOKENS</c>): it compacts once the last prompt is
/// within about 20,000 tokens of the window (a 65,536 window: not at 46,000, at 48,000; a 32,768 window: at 12,156),
/// and its own system prompt and tools are about 12,000 tokens before any conversation.
/// </summary>
internal static class ClaudeCodeRoom
{
    public const int CompactionReserve = 20_000;
    public const int OwnPromptTokens = 12_000;

    /// <summary>Below this window Claude Code has too little room to work between compactions to be worth warning about quietly.</summary>
    public const int ComfortableWindow = 65_536;

    /// <summary>Tokens of conversation Claude Code can hold before it compacts, in a window of this size.</summary>
    public static int ConversationRoom(int window) => Math.Max(0, window - CompactionReserve - OwnPromptTokens);

    /// <summary>One sentence saying why the window is too small for Claude Code and what to do; null when it is not.</summary>
    public static string? TooSmall(string backend, int window)
    {
        if (window >= ComfortableWindow)
        {
            return null;
        }

        int room = ConversationRoom(window);
        string often = room < 4_000 ? "after nearly every turn" : $"every ~{room.ToString("N0", CultureInfo.InvariantCulture)} tokens of conversation";
        return $"backend '{backend}' has a {window.ToString("N0", CultureInfo.InvariantCulture)}-token window: Claude Code's own prompt is about " +
            $"{OwnPromptTokens:N0} tokens and it compacts about {CompactionReserve:N0} before the window is full, so it will compact {often}; " +
            $"load the model with a context of {ComfortableWindow:N0} tokens or more";
    }
}
