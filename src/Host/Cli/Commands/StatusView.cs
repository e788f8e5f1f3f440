using System.Globalization;
using System.Text.Json;
using Spectre.Console.Rendering;
using Spectre.Console;

namespace AnyClaude.Host.Cli.Commands;

/// <summary><c>/admin/status</c>'s answer as Spectre.Console tables: the default and routes, the backends with their figures, the last requests.</summary>
internal static class StatusView
{
    public static IRenderable Render(JsonElement status, DateTimeOffset at)
    {
        var header = new Markup($"[bold]default backend:[/] [green]{Markup.Escape(status.GetProperty("mode").GetString() ?? "")}[/]   [grey]{at.ToLocalTime():HH:mm:ss}[/]");
        var routes = status.GetProperty("routes").EnumerateArray().Select(r => r.GetString() ?? "").ToList();
        var routeText = routes.Count == 0
            ? new Markup("[grey]routes: none (every request goes to the default, or to the backend its model names)[/]")
            : new Markup("[bold]routes:[/]\n" + string.Join("\n", routes.Select(r => "  " + Markup.Escape(r))));
        return status.TryGetProperty("servers", out var servers) && servers.GetArrayLength() > 0
            ? new Rows(header, routeText, Backends(status), Servers(servers), Recent(status))
            : new Rows(header, routeText, Backends(status), Recent(status));
    }

    /// <summary>The model servers of backends with <c>start</c>: which anyclaude started, their pid, uptime and restarts.</summary>
    private static Table Servers(JsonElement servers)
    {
        var table = new Table().Title("model servers").Border(TableBorder.Rounded);
        foreach (string column in new[] { "backend", "state", "started by", "pid", "uptime", "restarts", "command" })
        {
            table.AddColumn(column);
        }

        foreach (var server in servers.EnumerateArray())
        {
            string state = server.GetProperty("state").GetString() ?? "";
            string message = server.GetProperty("message").GetString() is { Length: > 0 } text ? $"\n[grey]{Markup.Escape(text)}[/]" : "";
            table.AddRow(
                Markup.Escape(server.GetProperty("backend").GetString() ?? ""),
                (state is "up" or "external" ? $"[green]{state}[/]" : state is "failed" ? $"[red]{state}[/]" : state) + message,
                server.GetProperty("startedByAnyClaude").GetBoolean() ? "anyclaude" : "[grey]not anyclaude[/]",
                server.GetProperty("processId").ValueKind == JsonValueKind.Number ? server.GetProperty("processId").GetInt32().ToString(CultureInfo.InvariantCulture) : "-",
                Number(server, "uptimeSeconds") is { } uptime ? TimeSpan.FromSeconds(Math.Floor(uptime)).ToString("c", CultureInfo.InvariantCulture) : "-",
                server.GetProperty("restarts").GetInt32().ToString(CultureInfo.InvariantCulture),
                Markup.Escape(server.GetProperty("command").GetString() ?? ""));
        }

        return table;
    }

    private static Table Backends(JsonElement status)
    {
        var table = new Table().Title("backends").Border(TableBorder.Rounded);
        foreach (string column in new[] { "name", "kind", "url", "health", "in flight", "requests", "ttft p50", "ttft p95", "tok/s", "cached", "fallback" })
        {
            table.AddColumn(column);
        }

        foreach (var backend in status.GetProperty("backends").EnumerateArray())
        {
            var figures = backend.TryGetProperty("figures", out var f) ? f : default;
            string health = HealthOf(backend) switch
            {
                "up" => "[green]healthy[/]",
                "unknown" => "[grey]unknown[/]",
                _ => $"[red]unhealthy[/] ({backend.GetProperty("failures").GetInt32()} failures)"
                    + (backend.TryGetProperty("lastError", out var lastError) ? $"\n[grey]{Markup.Escape(lastError.GetString() ?? "")}[/]" : ""),
            };
            if (WarmText.Of(backend) is { } warm)
            {
                health += $"\n[grey]{Markup.Escape(warm)}[/]";
            }

            table.AddRow(
                Markup.Escape(backend.GetProperty("name").GetString() ?? ""),
                Markup.Escape(backend.GetProperty("kind").GetString() ?? ""),
                Url(backend) + (backend.TryGetProperty("contextLength", out _) ? $"\n[grey]window {Markup.Escape(WindowText.Of(backend))}[/]" : ""),
                health,
                InFlight(backend),
                figures.ValueKind == JsonValueKind.Object ? $"{figures.GetProperty("requests").GetInt32()} ({figures.GetProperty("errors").GetInt32()} errors)" : "-",
                Seconds(figures, "ttftP50"),
                Seconds(figures, "ttftP95"),
                Rate(figures, "tokensPerSecond"),
                Share(figures, "cachedShare"),
                Markup.Escape(string.Join(", ", backend.GetProperty("fallback").EnumerateArray().Select(x => x.GetString()))));
        }

        return table;
    }

    /// <summary>Requests in flight, with the limit and how many wait in anyclaude's queue when there is one: <c>2/2 +1 queued</c>.</summary>
    private static string InFlight(JsonElement backend)
    {
        string text = backend.GetProperty("inFlight").GetInt32().ToString(CultureInfo.InvariantCulture);
        if (backend.TryGetProperty("maxInFlight", out var limit))
        {
            text += "/" + limit.GetInt32().ToString(CultureInfo.InvariantCulture);
        }

        return backend.TryGetProperty("queued", out var queued) && queued.GetInt32() > 0
            ? $"{text} [yellow]+{queued.GetInt32()} queued[/]"
            : text;
    }

    /// <summary>The backend's URL, or for a pool each destination on a line of its own with its health and load.</summary>
    private static string Url(JsonElement backend)
    {
        if (!backend.TryGetProperty("destinations", out var destinations))
        {
            return Markup.Escape(backend.GetProperty("url").GetString() ?? "");
        }

        return string.Join("\n", destinations.EnumerateArray().Select(d =>
            Markup.Escape(d.GetProperty("url").GetString() ?? "") + " "
            + HealthOf(d) switch { "up" => "[green]up[/]", "unknown" => "[grey]unknown[/]", _ => $"[red]down[/] ({d.GetProperty("failures").GetInt32()} failures)" }
            + $" [grey]{d.GetProperty("inFlight").GetInt32()} in flight, {d.GetProperty("conversations").GetInt32()} conversations[/]"
            + (d.TryGetProperty("lastError", out var error) && HealthOf(d) == "down" ? $"\n  [grey]{Markup.Escape(error.GetString() ?? "")}[/]" : "")));
    }

    /// <summary><c>up</c>, <c>down</c> or <c>unknown</c>; a proxy from before the <c>health</c> field only says healthy or not.</summary>
    internal static string HealthOf(JsonElement item) =>
        item.TryGetProperty("health", out var health) ? health.GetString() ?? "unknown" : item.GetProperty("healthy").GetBoolean() ? "up" : "down";

    private static Table Recent(JsonElement status)
    {
        var table = new Table().Title("recent requests").Border(TableBorder.Rounded);
        foreach (string column in new[] { "at", "backend", "model", "class", "status", "ttft", "cached" })
        {
            table.AddColumn(column);
        }

        foreach (var item in status.GetProperty("recent").EnumerateArray().Reverse())
        {
            int code = item.GetProperty("status").GetInt32();
            table.AddRow(
                item.GetProperty("at").GetDateTimeOffset().ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                Markup.Escape(item.GetProperty("backend").GetString() ?? ""),
                Markup.Escape(item.GetProperty("model").GetString() ?? ""),
                Markup.Escape(item.GetProperty("class").GetString() ?? ""),
                code == 200 ? "200" : $"[red]{code}[/]",
                Seconds(item, "ttftSeconds"),
                Share(item, "cachedShare"));
        }

        if (table.Rows.Count == 0)
        {
            table.AddRow("[grey](none yet)[/]", "", "", "", "", "", "");
        }

        return table;
    }

    private static string Seconds(JsonElement element, string name) =>
        Number(element, name) is { } value ? value.ToString("0.000 's'", CultureInfo.InvariantCulture) : "-";

    private static string Rate(JsonElement element, string name) =>
        Number(element, name) is { } value ? value.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Share(JsonElement element, string name) =>
        Number(element, name) is { } value ? (value * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "-";

    private static double? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
