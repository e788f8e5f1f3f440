using System.Globalization;
using AnyClaude.Host.Admin;
using Spectre.Console.Rendering;
using Spectre.Console;

namespace AnyClaude.Host.Cli.Commands;

/// <summary><c>/admin/status</c>'s answer as Spectre.Console tables: the default and routes, the backends with their figures, the last requests.</summary>
internal static class StatusView
{
    public static IRenderable Render(ProxyStatus status, DateTimeOffset at)
    {
        var header = new Markup($"[bold]default backend:[/] [green]{Markup.Escape(status.Mode)}[/]   [grey]{at.ToLocalTime():HH:mm:ss}[/]");
        var routeText = status.Routes.Count == 0
            ? new Markup("[grey]routes: none (every request goes to the default, or to the backend its model names)[/]")
            : new Markup("[bold]routes:[/]\n" + string.Join("\n", status.Routes.Select(r => "  " + Markup.Escape(r))));
        return status.Servers.Count > 0
            ? new Rows(header, routeText, Backends(status), Servers(status.Servers), Recent(status))
            : new Rows(header, routeText, Backends(status), Recent(status));
    }

    /// <summary>The model servers of backends with <c>start</c>: which anyclaude started, their pid, uptime and restarts.</summary>
    private static Table Servers(IReadOnlyList<ModelServerStatus> servers)
    {
        var table = new Table().Title("model servers").Border(TableBorder.Rounded);
        foreach (string column in new[] { "backend", "state", "started by", "pid", "uptime", "restarts", "command" })
        {
            table.AddColumn(column);
        }

        foreach (var server in servers)
        {
            string state = server.State;
            string message = server.Message is { Length: > 0 } text ? $"\n[grey]{Markup.Escape(text)}[/]" : "";
            table.AddRow(
                Markup.Escape(server.Backend),
                (state is "up" or "external" ? $"[green]{state}[/]" : state is "failed" ? $"[red]{state}[/]" : state) + message,
                server.StartedByAnyClaude ? "anyclaude" : "[grey]not anyclaude[/]",
                server.ProcessId is { } pid ? pid.ToString(CultureInfo.InvariantCulture) : "-",
                server.UptimeSeconds is { } uptime ? TimeSpan.FromSeconds(Math.Floor(uptime)).ToString("c", CultureInfo.InvariantCulture) : "-",
                server.Restarts.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(server.Command));
        }

        return table;
    }

    private static Table Backends(ProxyStatus status)
    {
        var table = new Table().Title("backends").Border(TableBorder.Rounded);
        foreach (string column in new[] { "name", "kind", "url", "health", "in flight", "requests", "ttft p50", "ttft p95", "tok/s", "cached", "fallback" })
        {
            table.AddColumn(column);
        }

        foreach (var backend in status.Backends)
        {
            var figures = backend.Figures;
            string health = backend.HealthName switch
            {
                "up" => "[green]healthy[/]",
                "unknown" => "[grey]unknown[/]",
                _ => $"[red]unhealthy[/] ({backend.Failures} failures)"
                    + (backend.LastError is { } lastError ? $"\n[grey]{Markup.Escape(lastError)}[/]" : ""),
            };
            if (WarmText.Of(backend) is { } warm)
            {
                health += $"\n[grey]{Markup.Escape(warm)}[/]";
            }

            table.AddRow(
                Markup.Escape(backend.Name),
                Markup.Escape(backend.Kind ?? ""),
                Url(backend) + (backend.ContextLength is not null ? $"\n[grey]window {Markup.Escape(WindowText.Of(backend))}[/]" : ""),
                health,
                InFlight(backend),
                figures is not null ? $"{figures.Requests} ({figures.Errors} errors)" : "-",
                Seconds(figures?.TtftP50),
                Seconds(figures?.TtftP95),
                Rate(figures?.TokensPerSecond),
                Share(figures?.CachedShare),
                Markup.Escape(string.Join(", ", backend.Fallback)));
        }

        return table;
    }

    /// <summary>Requests in flight, with the limit and how many wait in anyclaude's queue when there is one: <c>2/2 +1 queued</c>.</summary>
    private static string InFlight(BackendStatus backend)
    {
        string text = backend.InFlight.ToString(CultureInfo.InvariantCulture);
        if (backend.MaxInFlight is { } limit)
        {
            text += "/" + limit.ToString(CultureInfo.InvariantCulture);
        }

        return backend.Queued > 0 ? $"{text} [yellow]+{backend.Queued} queued[/]" : text;
    }

    /// <summary>The backend's URL, or for a pool each destination on a line of its own with its health and load.</summary>
    private static string Url(BackendStatus backend)
    {
        if (backend.Destinations is not { } destinations)
        {
            return Markup.Escape(backend.Url ?? "");
        }

        return string.Join("\n", destinations.Select(d =>
            Markup.Escape(d.Url) + " "
            + d.HealthName switch { "up" => "[green]up[/]", "unknown" => "[grey]unknown[/]", _ => $"[red]down[/] ({d.Failures} failures)" }
            + $" [grey]{d.InFlight} in flight, {d.Conversations} conversations[/]"
            + (d.LastError is { } error && d.HealthName == "down" ? $"\n  [grey]{Markup.Escape(error)}[/]" : "")));
    }

    private static Table Recent(ProxyStatus status)
    {
        var table = new Table().Title("recent requests").Border(TableBorder.Rounded);
        foreach (string column in new[] { "at", "backend", "model", "class", "status", "ttft", "cached" })
        {
            table.AddColumn(column);
        }

        foreach (var item in status.Recent.Reverse())
        {
            table.AddRow(
                item.At.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                Markup.Escape(item.Backend),
                Markup.Escape(item.Model),
                Markup.Escape(item.Class),
                item.Status == 200 ? "200" : $"[red]{item.Status}[/]",
                Seconds(item.TtftSeconds),
                Share(item.CachedShare));
        }

        if (table.Rows.Count == 0)
        {
            table.AddRow("[grey](none yet)[/]", "", "", "", "", "", "");
        }

        return table;
    }

    private static string Seconds(double? value) => value is { } seconds ? seconds.ToString("0.000 's'", CultureInfo.InvariantCulture) : "-";

    private static string Rate(double? value) => value is { } rate ? rate.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Share(double? value) => value is { } share ? (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "-";
}
