



using AnyClaude.Host.Cli.Launcher;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// Which proxy <c>anyclaude status</c>, <c>mode</c>, <c>ui</c> and <c>statusline</c> talk to, on loopback: <c>--port</c>;
/// else <c>ANYCLAUDE_PORT</c> (unless 0, "any free port"); else the running session started in this folder, else the
/// running session started last (<see cref="RunningSessions"/>: a launcher that found its port taken runs on another);
/// else the default port.
/// </summary>
internal static class ProxyLocator
{
    public const string PortVariable = "ANYCLAUDE_PORT";

    /// <summary>The proxy's address, or the one-line problem with <c>ANYCLAUDE_PORT</c>.</summary>
    public static (Uri? Proxy, string? Problem) Find(int? port, IReadOnlyDictionary<string, string?> environment, RunningSessions sessions, string workingDirectory)
    {
        if (port is { } given)
        {
            return (Loopback(given), null);
        }

        if (environment.GetValueOrDefault(PortVariable) is { Length: > 0 } text)
        {
            if (WholeNumberOption.TryParse(text, 0, 65535) is not { } fromEnvironment)
            {
                return (null, WholeNumberOption.Problem(PortVariable, text, 0, 65535));
            }

            if (fromEnvironment != 0)
            {
                return (Loopback(fromEnvironment), null);
            }
        }

        return (Loopback(sessions.Find(workingDirectory)?.Port ?? AnyClaudeOptions.DefaultPort), null);
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port}/");
}
