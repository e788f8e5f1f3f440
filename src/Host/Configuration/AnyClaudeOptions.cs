using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Servers;

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

    /// <summary>
    /// How long a backend may take to answer with its response headers (its first event). A local server can
    /// prefill for minutes before it sends headers, so the default is generous; the prefill after the headers
    /// is not bounded.
    /// </summary>
    public TimeSpan FirstByteTimeout { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>How often every backend's health check runs in the background, for status (the first as the proxy starts); zero runs none.</summary>
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The access key clients must present (<c>x-api-key</c> or <c>Authorization: Bearer</c>); null means none is checked.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Bounds on a request's shape, far above what Claude Code sends.</summary>
    public RequestLimits Limits { get; init; } = new();

    public string TraceDirectory { get; init; } = Path.Combine(ConfigurationLoader.UserDirectory, "traces");

    /// <summary>Where claude is; null looks it up on PATH.</summary>
    public string? ClaudePath { get; init; }

    /// <summary>Where to send the metrics over OTLP (<c>otlpEndpoint</c>); null sends nothing (<c>/metrics</c> still answers).</summary>
    public Uri? OtlpEndpoint { get; init; }

    public required IReadOnlyDictionary<string, BackendOptions> Backends { get; init; }

    /// <summary>The <c>routes</c> and the backends' <c>fallback</c> lists.</summary>
    public RoutingOptions Routing { get; init; } = RoutingOptions.None;

    /// <summary>Folders whose <c>*.csx</c> files run on every request, in file-name order; empty runs none.</summary>
    public IReadOnlyList<string> ScriptDirectories { get; init; } = [];

    /// <summary>Where compiled scripts are cached, one <c>&lt;sha256&gt;.dll</c> per script content.</summary>
    public string ScriptCacheDirectory { get; init; } = Path.Combine(ConfigurationLoader.UserDirectory, "cache", "scripts");

    /// <summary>Answer Claude Code's title and topic side requests without a model, so they never cost the conversation its cache.</summary>
    public bool LocalSideAnswers { get; init; } = true;

    /// <summary>After a side request on a single-slot server, re-send the conversation's last turn (off the critical path) to restore its cache.</summary>
    public bool Rewarm { get; init; }

    /// <summary>Warm the remembered prompt heads (conversation, safety classifier) at start and when a backend comes back up.</summary>
    public bool Prewarm { get; init; } = true;

    /// <summary>Where the prefixes to warm are kept, one file per backend; null keeps none (and so warms none).</summary>
    public string? WarmDirectory { get; init; }
}

/// <summary>A configured backend: what its plugin gets, plus the host's own per-backend settings.</summary>
internal sealed record BackendOptions : BackendSettings
{
    /// <summary>The request transforms in order, by name; null uses the default order (built-ins by capability, plugins, scripts).</summary>
    public IReadOnlyList<string>? Transforms { get; init; }

    /// <summary>JSON-schema keywords <c>clean-schema</c> removes besides <c>$schema</c> (e.g. <c>format</c>).</summary>
    public IReadOnlyList<string> CleanSchemaKeywords { get; init; } = [];

    /// <summary>The response pipeline's settings (<c>responseTransforms</c>, <c>toolCallFormat</c>).</summary>
    public ResponseSettings Responses { get; init; } = new();

    /// <summary>
    /// The destinations (<c>urls</c>: replicas of one server); one entry, <see cref="BackendSettings.Url"/>, unless a
    /// pool was configured.
    /// </summary>
    public IReadOnlyList<Uri> Urls { get; init; } = [];

    /// <summary>
    /// <c>maxInFlight</c>: requests sent to this backend at once, the rest queued in the proxy; null is the server's slot
    /// count where it reports one (else no limit), 0 no limit.
    /// </summary>
    public int? MaxInFlight { get; init; }

    /// <summary>
    /// <c>start</c>: the command that starts this backend's server when nothing answers at its URL (anyclaude then
    /// stops it when it ends and restarts it if it dies); null when anyclaude never starts it.
    /// </summary>
    public StartSettings? Start { get; init; }

    /// <summary>
    /// A kind's built-in backend that nobody asked for: there because nothing names a backend, and neither the mode
    /// nor its URL variable names it (<c>anyclaude doctor</c> does not count its server being down against anything).
    /// </summary>
    public bool Unasked { get; init; }
}

/// <summary>Bounds on a Messages request's shape; each breach is a 400 naming the limit.</summary>
internal sealed record RequestLimits
{
    /// <summary>JSON nesting depth of the body (System.Text.Json's own default bound).</summary>
    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>Messages in one request (a long Claude Code session has a few thousand).</summary>
    public int MaxMessages { get; init; } = 20_000;

    /// <summary>Content blocks in one message.</summary>
    public int MaxBlocksPerMessage { get; init; } = 10_000;

    /// <summary>Tools in one request (Claude Code sends about 24, plus MCP tools).</summary>
    public int MaxTools { get; init; } = 1_000;
}
