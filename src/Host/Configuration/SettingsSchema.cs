namespace AnyClaude.Host.Configuration;

/// <summary>
/// The keys configuration may hold, for <see cref="SettingsValidator"/>: a new setting is one line here (besides
/// where it is read). Keys match case-insensitively, as configuration does.
/// </summary>
internal static class SettingsSchema
{
    /// <summary>Top-level keys. Beneath them only <c>backends</c> is checked; other sections (<c>Serilog</c>) are free-form.</summary>
    public static readonly IReadOnlyList<string> TopLevel =
    [
        "mode",
        "host",
        "port",
        "apiKey",
        "debug",
        "maxRequestBodyBytes",
        "connectTimeoutSeconds",
        "heartbeatMilliseconds",
        "healthCheckSeconds",
        "firstByteTimeoutSeconds",
        "maxJsonDepth",
        "maxMessages",
        "maxBlocksPerMessage",
        "maxTools",
        "traceDirectory",
        "claudePath",
        "otlpEndpoint",
        "scriptsDirectory",
        "scriptCacheDirectory",
        "localSideAnswers",
        "rewarm",
        "prewarm",
        Backends,
        "routes",
        "Serilog",
    ];

    /// <summary>The host's own keys of a backend entry; any other goes to the plugin as an extra setting.</summary>
    public static readonly IReadOnlyList<string> Backend =
    [
        "kind",
        "url",
        "urls",
        "apiKey",
        "model",
        "maxOutputTokens",
        "contextLength",
        "maxInFlight",
        "start",
        "startTimeoutSeconds",
        "startEnvironment",
        "supportsImages",
        "supportsTools",
        "tokenizer",
        "transforms",
        "cleanSchemaKeywords",
        "fallback",
        .. ResponseSettings.Keys,
    ];

    /// <summary>The section whose entries are backends, by name.</summary>
    public const string Backends = "backends";
}
