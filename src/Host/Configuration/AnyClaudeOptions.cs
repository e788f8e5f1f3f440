namespace AnyClaude.Host.Configuration;

/// <summary>The proxy's settings after every configuration layer has been applied and checked.</summary>
internal sealed record AnyClaudeOptions
{
    public const int DefaultPort = 8080;

    /// <summary>The backend requests go to.</summary>
    public required string Mode { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = DefaultPort;

    /// <summary>0 off, 1 one line per request, 2 request and response summaries, 3 full traces to files.</summary>
    public int Debug { get; init; }

    public long MaxRequestBodyBytes { get; init; } = 32 * 1024 * 1024;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stream may stay silent before the client gets a ping.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string TraceDirectory { get; init; } = Path.Combine(ConfigurationLoader.UserDirectory, "traces");

    /// <summary>Where claude is; null looks it up on PATH.</summary>
    public string? ClaudePath { get; init; }

    public required IReadOnlyDictionary<string, BackendOptions> Backends { get; init; }

    /// <summary>Folders whose <c>*.csx</c> files run on every request, in file-name order; empty runs none.</summary>
    public IReadOnlyList<string> ScriptDirectories { get; init; } = [];

    /// <summary>Where compiled scripts are cached, one <c>&lt;sha256&gt;.dll</c> per script content.</summary>
    public string ScriptCacheDirectory { get; init; } = Path.Combine(ConfigurationLoader.UserDirectory, "cache", "scripts");
}

internal sealed record BackendOptions
{
    public required string Kind { get; init; }

    public required Uri Url { get; init; }

    public string? ApiKey { get; init; }

    public string? Model { get; init; }

    public int? MaxOutputTokens { get; init; }

    public int? ContextLength { get; init; }

    public bool? SupportsImages { get; init; }

    public bool? SupportsTools { get; init; }

    /// <summary>The request transforms in order, by name; null uses the default order (built-ins by capability, plugins, scripts).</summary>
    public IReadOnlyList<string>? Transforms { get; init; }

    /// <summary>JSON-schema keywords <c>clean-schema</c> removes besides <c>$schema</c> (e.g. <c>format</c>).</summary>
    public IReadOnlyList<string> CleanSchemaKeywords { get; init; } = [];

    public IReadOnlyDictionary<string, string?> Extra { get; init; } = new Dictionary<string, string?>();
}
