using System.CommandLine;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// Splits <c>anyclaude [anyclaude options] [command] [--] [claude arguments]</c>: anyclaude's own options come first;
/// the first token that is not one of them (or a <c>--</c>) starts Claude Code's arguments, which are passed
/// on unchanged, even where a name is shared (<c>claude --debug</c>). One of anyclaude's commands
/// (<c>anyclaude plugins …</c>, <c>anyclaude --port 8181 status</c>) after the leading options makes the whole line
/// anyclaude's, the command first. The options and commands are read from the command line's declaration
/// (<see cref="AnyClaudeCommand.Build"/>), so a command added there is recognised here.
/// </summary>
internal static class ArgumentSplitter
{
    public static (string[] Own, string[] Claude) Split(string[] args, Command root)
    {
        var commands = root.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)).ToHashSet(StringComparer.Ordinal);
        var withValue = new HashSet<string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var option in root.Options)
        {
            // A flag (--proxy-only, --help) may take a value (--proxy-only true) but needs none: the next token is not its.
            (option.Arity.MinimumNumberOfValues > 0 ? withValue : flags).UnionWith(option.Aliases.Prepend(option.Name));
        }

        int i = 0;
        while (i < args.Length)
        {
            string token = args[i];
            if (token == "--")
            {
                return (args[..i], args[(i + 1)..]);
            }

            if (commands.Contains(token))
            {
                // Options given before the command are the command's: `--port 8181 status` is `status --port 8181`.
                return ([token, .. args[..i], .. args[(i + 1)..]], []);
            }

            string name = token.Split('=', 2)[0];
            if (flags.Contains(token))
            {
                i++;
            }
            else if (withValue.Contains(name))
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
