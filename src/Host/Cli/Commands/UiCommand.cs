using System.Net;
using System.Text.Json;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude ui [--port N]</c>: prints the running proxy's dashboard address. With an access key
/// (<c>ANYCLAUDE_API_KEY</c>) it is a one-time link: the proxy trades its token for a session cookie on first use and
/// shows the clean <c>/ui</c>. Exit codes: 0 printed, 1 no proxy answering or it refused.
/// </summary>
internal static class UiCommand
{
    public static async Task<int> RunAsync(Uri proxy, string? apiKey, TextWriter output, TextWriter error)
    {
        using var http = ControlCommands.Client(proxy, apiKey);
        try
        {
            using var response = await http.PostAsync("admin/ui-token", content: null).ConfigureAwait(false);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            if (!response.IsSuccessStatusCode)
            {
                string hint = response.StatusCode == HttpStatusCode.Unauthorized ? " (set ANYCLAUDE_API_KEY to the proxy's key)" : "";
                error.WriteLine($"anyclaude: the proxy at {proxy} answered {(int)response.StatusCode}: {ControlCommands.ErrorMessage(json)}{hint}");
                return 1;
            }

            var link = new Uri(proxy, json.RootElement.GetProperty("path").GetString());
            output.WriteLine(link.AbsoluteUri);
            if (json.RootElement.TryGetProperty("expiresInSeconds", out var expires))
            {
                error.WriteLine($"anyclaude: open it in a browser on this machine within {expires.GetInt32()} s; it works once (run `anyclaude ui` again for another)");
            }

            return 0;
        }
        catch (Exception exception) when (ControlCommands.IsUnreachable(exception))
        {
            error.WriteLine(ControlCommands.NotRunning(proxy));
            return 1;
        }
    }
}
