using System.Text;

namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// Deterministic English-like text to make a Claude Code-shaped prompt a few thousand tokens long (a CLAUDE.md, a file
/// that was read): big enough that the prefix cache is plain in the server's figures, small enough that a cold
/// prefill stays a few seconds on a loaded two-core machine.
/// </summary>
internal static class ProjectNotes
{
    private static readonly string[] Words =
    [
        "the", "proxy", "reads", "each", "request", "once", "and", "routes", "it", "to", "a", "backend", "that", "renders",
        "chat", "template", "tokens", "cache", "slot", "server", "model", "answer", "stream", "event", "tool", "file",
        "build", "test", "config", "window", "prompt", "prefix", "turn", "session", "user", "writes", "code", "with",
        "care", "so", "every", "follow-up", "keeps", "what", "came", "before", "local", "engine", "counts", "fast",
    ];

    /// <summary>About <paramref name="sentences"/> × 14 tokens of text, the same for the same <paramref name="seed"/>.</summary>
    public static string Text(int seed, int sentences)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        for (int s = 0; s < sentences; s++)
        {
            int length = random.Next(8, 16);
            for (int w = 0; w < length; w++)
            {
                string word = Words[random.Next(Words.Length)];
                text.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
                text.Append(w == length - 1 ? ". " : " ");
            }

            if (s % 6 == 5)
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>A Claude Code-shaped conversation whose first prompt carries about 2,500 tokens of project notes.</summary>
    public static ClaudeCodeConversation Conversation(int seed = 1) =>
        new($"Here are the project notes (CLAUDE.md):\n{Text(seed, 180)}\nSummarise them in one line.");
}
