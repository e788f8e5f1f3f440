using AnyClaude.TestSupport;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Windows for the fakes the real Claude Code talks to. Told the window, Claude Code compacts about 20,000 tokens before
/// it is full; its own prompt is about 12,000 tokens, so in the fakes' default 32,768 it would compact before every
/// turn (a test of several turns would see compactions take its scripted answers).
/// </summary>
internal static class FakeWindows
{
    /// <summary>A window in which a few-turn conversation never reaches Claude Code's compaction threshold.</summary>
    public static FakeServerOptions Roomy => new() { ContextLength = 131072, LoadedContextLength = 131072 };
}
