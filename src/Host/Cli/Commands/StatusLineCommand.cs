using System.Text.Json;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude statusline [--port N]</c>: Claude Code's <c>statusLine</c> command. Reads Claude Code's JSON from stdin,
/// asks the proxy for its status (briefly: Claude Code waits for this line) and prints <see cref="StatusLineText"/>.
/// Always exits 0: a status line that fails shows nothing, which helps nobody.
/// </summary>
internal static class StatusLineCommand
{
    public static readonly TimeSpan ProxyTimeout = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(Uri proxy, string? apiKey, TextReader input, TextWriter output)
    {
        JsonDocument? claude = null;
        try
        {
            claude = JsonDocument.Parse(await input.ReadToEndAsync().ConfigureAwait(false));
        }
        catch (JsonException)
        {
        }

        using (claude)
        {
            using var http = ControlCommands.Client(proxy, apiKey);
            http.Timeout = ProxyTimeout;
            var (status, _) = await StatusCommand.FetchAsync(http, proxy, CancellationToken.None).ConfigureAwait(false);
            output.WriteLine(StatusLineText.Format(claude?.RootElement, status));
        }

        return 0;
    }
}
