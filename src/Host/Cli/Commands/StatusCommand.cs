using System.Net;
using System.Text.Json;
using AnyClaude.Host.Admin;
using Spectre.Console;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude status</c> on a terminal: Spectre.Console tables (<see cref="StatusView"/>), or with <c>--watch</c> the same
/// refreshed live until Ctrl+C; <c>--json</c> prints <c>/admin/status</c>'s answer as it is, for scripts. Output that is
/// not a terminal gets the aligned text of <see cref="ControlCommands.FormatStatus"/>.
/// </summary>
internal static class StatusCommand
{
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    /// <summary>The proxy's status, or a one-line reason why not.</summary>
    public static async Task<(ProxyStatus? Status, string? Problem)> FetchAsync(HttpClient http, Uri proxy, CancellationToken cancellationToken)
    {
        var (json, problem) = await FetchJsonAsync(http, proxy, cancellationToken).ConfigureAwait(false);
        using (json)
        {
            if (json is null)
            {
                return (null, problem);
            }

            try
            {
                return (ProxyStatus.Read(json.RootElement), null);
            }
            catch (JsonException exception)
            {
                return (null, $"anyclaude: the proxy at {proxy} answered a status this anyclaude cannot read ({exception.Message}): is it another version?");
            }
        }
    }

    /// <summary>The proxy's status as the JSON it sent, or a one-line reason why not.</summary>
    private static async Task<(JsonDocument? Status, string? Problem)> FetchJsonAsync(HttpClient http, Uri proxy, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync("admin/status", cancellationToken).ConfigureAwait(false);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                string message = ControlCommands.ErrorMessage(json);
                json.Dispose();
                return (null, $"anyclaude: the proxy at {proxy} answered {(int)response.StatusCode}: {message}");
            }

            return (json, null);
        }
        catch (Exception exception) when (ControlCommands.IsUnreachable(exception) && !cancellationToken.IsCancellationRequested)
        {
            return (null, ControlCommands.NotRunning(proxy));
        }
    }

    public static async Task<int> JsonAsync(Uri proxy, string? apiKey, TextWriter output, TextWriter error)
    {
        using var http = ControlCommands.Client(proxy, apiKey);
        var (status, problem) = await FetchJsonAsync(http, proxy, CancellationToken.None).ConfigureAwait(false);
        using (status)
        {
            if (status is null)
            {
                error.WriteLine(problem);
                return 1;
            }

            output.WriteLine(JsonSerializer.Serialize(status.RootElement, IndentedJson.Options));
            return 0;
        }
    }

    public static async Task<int> RichAsync(Uri proxy, string? apiKey, IAnsiConsole console, TextWriter error, TimeProvider time)
    {
        using var http = ControlCommands.Client(proxy, apiKey);
        var (status, problem) = await FetchAsync(http, proxy, CancellationToken.None).ConfigureAwait(false);
        if (status is null)
        {
            error.WriteLine(problem);
            return 1;
        }

        console.Write(StatusView.Render(status, time.GetUtcNow()));
        return 0;
    }

    /// <summary>Refreshes every <see cref="WatchInterval"/> until <paramref name="cancellationToken"/> (Ctrl+C); a proxy that goes away is shown, not fatal.</summary>
    public static async Task<int> WatchAsync(Uri proxy, string? apiKey, IAnsiConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        using var http = ControlCommands.Client(proxy, apiKey);
        await console.Live(new Markup("[grey]asking the proxy…[/]")).StartAsync(async live =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var (status, problem) = await FetchAsync(http, proxy, cancellationToken).ConfigureAwait(false);
                live.UpdateTarget(status is null ? new Markup($"[red]{Markup.Escape(problem ?? "")}[/]") : StatusView.Render(status, time.GetUtcNow()));

                try
                {
                    await Task.Delay(WatchInterval, time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }).ConfigureAwait(false);
        return 0;
    }

    private static class IndentedJson
    {
        public static readonly JsonSerializerOptions Options = new() { WriteIndented = true };
    }
}
