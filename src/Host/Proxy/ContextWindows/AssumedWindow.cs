using System.Globalization;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// The window Claude Code is told when neither the configuration, the server nor the model's files say it (mlx-lm
/// with no model configured says nothing): left alone, Claude Code takes a model name it does not know for a
/// 1,000,000-token window and compacts far too late. 65,536 is the smallest window Claude Code works well in
/// (<see cref="ClaudeCodeRoom.ComfortableWindow"/>); a model loaded with less overflows, so the note says how to
/// set the real one.
/// </summary>
internal static class AssumedWindow
{
    public const int Tokens = ClaudeCodeRoom.ComfortableWindow;

    /// <summary>The window to tell Claude Code, and a line to print when it is the assumed one.</summary>
    public static (int Window, string? Note) For(string backend, string kind, int? known)
    {
        if (known is { } window)
        {
            return (window, null);
        }

        string model = kind.Equals("mlx-lm", StringComparison.OrdinalIgnoreCase)
            ? ", or set its model (MLX_LM_MODEL) so its config.json in the Hugging Face cache says it"
            : "";
        return (Tokens, $"backend '{backend}' does not say its model's context window, so Claude Code is told {Tokens.ToString("N0", CultureInfo.InvariantCulture)} tokens (not its 1,000,000 default): " +
            $"set the real one with backends.{backend}.contextLength in ~/.anyclaude/config.json or ./anyclaude.json{model}");
    }
}
