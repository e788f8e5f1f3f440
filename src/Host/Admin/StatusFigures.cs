using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Proxy.Telemetry;

namespace AnyClaude.Host.Admin;

/// <summary>
/// The measured part of a backend's entry in <c>/admin/status</c>: its context window when known (<c>contextLength</c>,
/// with <c>contextLengthSource</c>: <c>configured</c>, <c>reported</c> or <c>default</c>) and, over the last
/// hour, <c>figures</c> (<c>requests</c>, <c>errors</c>, <c>ttftP50</c>, <c>ttftP95</c>, <c>tokensPerSecond</c>,
/// <c>cachedShare</c>, and <c>last</c>: the last successful request's <c>promptTokens</c>, <c>cachedTokens</c>,
/// <c>outputTokens</c>, <c>cachedShare</c>, <c>tokensPerSecond</c>). Absent figures are null.
/// </summary>
internal static class StatusFigures
{
    public static void Write(Utf8JsonWriter json, string backend, BackendRegistry backends, RequestStatistics statistics)
    {
        if (ContextLengthOf(backend, backends) is ({ } window, var source))
        {
            json.WriteNumber("contextLength", window);
            if (source != ContextLengthSource.Unknown)
            {
                json.WriteString("contextLengthSource", SourceName(source));
            }
        }

        var figures = statistics.FiguresOf(backend);
        json.WriteStartObject("figures");
        json.WriteNumber("requests", figures.Requests);
        json.WriteNumber("errors", figures.Errors);
        Number(json, "ttftP50", figures.TtftP50);
        Number(json, "ttftP95", figures.TtftP95);
        Number(json, "tokensPerSecond", figures.TokensPerSecondP50);
        Number(json, "cachedShare", figures.CachedShare);
        if (figures.Last is { } last)
        {
            json.WriteStartObject("last");
            json.WriteString("at", last.At);
            json.WriteNumber("promptTokens", last.PromptTokens);
            json.WriteNumber("cachedTokens", last.CachedTokens);
            json.WriteNumber("outputTokens", last.OutputTokens);
            Number(json, "cachedShare", last.CachedShare);
            Number(json, "tokensPerSecond", last.TokensPerSecond > 0 ? last.TokensPerSecond : null);
            Number(json, "ttftSeconds", last.TtftSeconds);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("last");
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// The configured window, else the backend's (reported by its server, or its kind's default: never shown as
    /// reported); null for a backend that cannot be built.
    /// </summary>
    private static (int? Window, ContextLengthSource Source) ContextLengthOf(string name, BackendRegistry backends)
    {
        if (backends.SettingsOf(name)?.ContextLength is { } configured)
        {
            return (configured, ContextLengthSource.Configured);
        }

        try
        {
            var capabilities = backends.Get(name).Capabilities;
            return (capabilities.ContextLength, capabilities.ContextLengthSource);
        }
        catch (AnthropicException)
        {
            return (null, ContextLengthSource.Unknown);
        }
    }

    /// <summary><c>contextLengthSource</c>: <c>configured</c>, <c>reported</c> (by the server) or <c>default</c> (the kind's).</summary>
    public static string SourceName(ContextLengthSource source) => source switch
    {
        ContextLengthSource.Configured => "configured",
        ContextLengthSource.Reported => "reported",
        ContextLengthSource.Default => "default",
        _ => "unknown",
    };

    /// <summary>Rounded to microseconds (times are seconds): a local time to first token is often under a millisecond.</summary>
    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, Math.Round(number, 6));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
