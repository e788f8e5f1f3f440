using System.Text;

namespace AnyClaude.Host.Servers;

/// <summary>
/// The command line that starts a backend's model server. Either a program and its arguments, run directly, or a text
/// run by the platform's shell (<see cref="ShellText"/>: <c>/bin/sh -c</c>, <c>cmd /c</c> on Windows). <see cref="Display"/>
/// is the whole command as a user would type it (the text, or the arguments quoted for a POSIX shell), for
/// <c>anyclaude doctor</c>, the start line and every message about it.
/// </summary>
internal sealed record ServerCommand
{
    private ServerCommand(string program, IReadOnlyList<string> arguments, string? shellText)
    {
        Program = program;
        Arguments = arguments;
        ShellText = shellText;
        Display = shellText ?? Quote([program, .. arguments]);
    }

    /// <summary>The program to run: a name looked up on PATH, or a path; the shell for a command given as text.</summary>
    public string Program { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The command as written, for the shell; null for a command run directly.</summary>
    public string? ShellText { get; }

    public string Display { get; }

    /// <summary>A command line for the platform's shell, which expands variables, <c>~</c> and pipes as a terminal would.</summary>
    public static ServerCommand Shell(string text) =>
        OperatingSystem.IsWindows()
            ? new ServerCommand(Environment.GetEnvironmentVariable("ComSpec") ?? "cmd.exe", ["/d", "/s", "/c", text], text)
            : new ServerCommand("/bin/sh", ["-c", text], text);

    /// <summary>A program and its arguments, run without a shell (nothing is expanded).</summary>
    public static ServerCommand Direct(string program, IReadOnlyList<string> arguments) => new(program, arguments, null);

    public bool Equals(ServerCommand? other) =>
        other is not null
        && Program == other.Program
        && ShellText == other.ShellText
        && Arguments.SequenceEqual(other.Arguments, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Program, ShellText, Arguments.Count);

    public override string ToString() => Display;

    /// <summary>Each word as a POSIX shell reads it back: plain when it has nothing the shell would change, else in single quotes.</summary>
    private static string Quote(IEnumerable<string> words)
    {
        var line = new StringBuilder();
        foreach (string word in words)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }

            if (word.Length > 0 && word.All(IsPlain))
            {
                line.Append(word);
            }
            else
            {
                line.Append('\'').Append(word.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
            }
        }

        return line.ToString();
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',' or '+' or '@' or '%';
}
