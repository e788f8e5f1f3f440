using System.Diagnostics;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>A tmux server of the test's own (<c>-L socket</c>), to drive interactive Claude Code and read its screen.</summary>
internal static class Tmux
{
    public static async Task<string> RunAsync(string socket, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(
            "tmux", ["-L", socket, .. arguments],
            new Dictionary<string, string> { ["PATH"] = Environment.GetEnvironmentVariable("PATH")!, ["TERM"] = "xterm-256color", ["LANG"] = "C.UTF-8" },
            Environment.CurrentDirectory, TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0 && arguments[0] != "kill-server")
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)} failed: {result}");
        }

        return result.StandardOutput;
    }

    public static Task<string> WaitForScreenAsync(string socket, Func<string, bool> condition, string what) =>
        WaitForScreenAsync(socket, condition, what, TimeSpan.FromSeconds(60));

    public static async Task<string> WaitForScreenAsync(string socket, Func<string, bool> condition, string what, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        string screen = "";
        while (stopwatch.Elapsed < timeout)
        {
            screen = await RunAsync(socket, "capture-pane", "-p", "-t", "claude");
            if (condition(screen))
            {
                return screen;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{what} did not appear within {timeout.TotalSeconds:0} s; the screen shows:\n{screen}");
    }
}
