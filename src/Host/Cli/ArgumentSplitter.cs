namespace AnyClaude.Host.Cli;

/// <summary>
/// Splits <c>anyclaude [anyclaude options] [--] [claude arguments]</c>: anyclaude's own options come first;
/// the first token that is not one of them (or a <c>--</c>) starts Claude Code's arguments, which are passed
/// on unchanged, even where a name is shared (<c>claude --debug</c>). A subcommand of anyclaude's
/// (<c>anyclaude plugins …</c>) as the first token makes the whole line anyclaude's.
/// </summary>
internal static class ArgumentSplitter
{
    private static readonly HashSet<string> OptionsWithValue = new(StringComparer.Ordinal)
    {
        "--plugins", "--scripts", "--mode", "--host", "--port", "--config", "--debug",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "--proxy-only", "--help", "-h", "-?", "--version",
    };

    /// <summary>anyclaude's own subcommands: as the first token, the whole command line is anyclaude's.</summary>
    private static readonly HashSet<string> Subcommands = new(StringComparer.Ordinal) { "plugins", "mode", "status", "statusline", "doctor" };

    public static (string[] Own, string[] Claude) Split(string[] args)
    {
        if (args.Length > 0 && Subcommands.Contains(args[0]))
        {
            return (args, []);
        }

        int i = 0;
        while (i < args.Length)
        {
            string token = args[i];
            if (token == "--")
            {
                return (args[..i], args[(i + 1)..]);
            }

            string name = token.Split('=', 2)[0];
            if (Flags.Contains(token))
            {
                i++;
            }
            else if (OptionsWithValue.Contains(name))
            {
                i += name.Length == token.Length ? 2 : 1;
            }
            else
            {
                break;
            }
        }

        i = Math.Min(i, args.Length);
        return (args[..i], args[i..]);
    }
}
