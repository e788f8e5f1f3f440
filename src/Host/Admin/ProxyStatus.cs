using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnyClaude.Host.Admin;

/// <summary>
/// <c>GET /admin/status</c>'s answer as one typed read model: the proxy writes it, and <c>anyclaude status</c>, the status
/// line, <c>anyclaude mode</c> and the dashboard read it (through <see cref="StatusJson"/>). A field a proxy of an earlier
/// version did not send reads as its default here (settable properties: the JSON source generator sets init-only ones
/// to null when they are missing, initializers notwithstanding).
/// </summary>
internal sealed class ProxyStatus
{
    /// <summary>The default backend.</summary>
    public string Mode { get; set; } = "";

    /// <summary>Each route as its one-line text.</summary>
    public IReadOnlyList<string> Routes { get; set; } = [];

    public IReadOnlyList<BackendStatus> Backends { get; set; } = [];

    /// <summary>The last finished requests, oldest first.</summary>
    public IReadOnlyList<RecentRequestStatus> Recent { get; set; } = [];

    public IReadOnlyList<ConversationStatus> Conversations { get; set; } = [];

    /// <summary>The model servers of backends with a <c>start</c> command.</summary>
    public IReadOnlyList<ModelServerStatus> Servers { get; set; } = [];

    /// <summary>Reads the JSON a proxy sent; a field this model does not know is passed over.</summary>
    /// <exception cref="JsonException">The JSON is not a status (another shape, or a field of another type).</exception>
    public static ProxyStatus Read(JsonElement status) =>
        status.Deserialize(StatusJson.Default.ProxyStatus) ?? throw new JsonException("the status is null");
}

/// <summary>One backend: its health and load, its window, its figures over the last hour and what is warm on it.</summary>
internal sealed class BackendStatus
{
    public string Name { get; set; } = "";

    public string? Kind { get; set; }

    public string? Url { get; set; }

    public bool Healthy { get; set; }

    /// <summary><c>up</c>, <c>down</c> or <c>unknown</c>; null from a proxy that only said healthy or not.</summary>
    public string? Health { get; set; }

    public int InFlight { get; set; }

    /// <summary>Requests waiting in anyclaude's queue for a free slot.</summary>
    public int Queued { get; set; }

    /// <summary>The in-flight limit, when the backend has one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxInFlight { get; set; }

    public int Failures { get; set; }

    /// <summary>A pool's URLs, each with its own health and load; null for a single-URL backend.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DestinationStatus>? Destinations { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RetryAt { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastError { get; set; }

    /// <summary>The backends this one falls back to, in order.</summary>
    public IReadOnlyList<string> Fallback { get; set; } = [];

    /// <summary>The context window in tokens, when known.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContextLength { get; set; }

    /// <summary><c>configured</c>, <c>reported</c> (by the server) or <c>default</c> (the kind's).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ContextLengthSource { get; set; }

    /// <summary>Over the last hour; null from a proxy that did not measure.</summary>
    public BackendFiguresStatus? Figures { get; set; }

    /// <summary>What warm-ups left warm, in tokens per prefix (<c>head</c>, <c>classifier</c>); null when nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, int>? Warm { get; set; }

    /// <summary><see cref="Health"/>, or for a proxy that only said healthy or not, <c>up</c> or <c>down</c>.</summary>
    [JsonIgnore]
    public string HealthName => Health ?? (Healthy ? "up" : "down");
}

/// <summary>One URL of a pool.</summary>
internal sealed class DestinationStatus
{
    public string Url { get; set; } = "";

    public bool Healthy { get; set; }

    public string? Health { get; set; }

    public int InFlight { get; set; }

    /// <summary>Conversations kept on this URL (affinity).</summary>
    public int Conversations { get; set; }

    public int Failures { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RetryAt { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LastError { get; set; }

    [JsonIgnore]
    public string HealthName => Health ?? (Healthy ? "up" : "down");
}

/// <summary>A backend's figures over the last hour; times in seconds, shares from 0 to 1, rounded to microseconds.</summary>
internal sealed class BackendFiguresStatus
{
    public int Requests { get; set; }

    public int Errors { get; set; }

    public double? TtftP50 { get; set; }

    public double? TtftP95 { get; set; }

    public double? TokensPerSecond { get; set; }

    public double? CachedShare { get; set; }

    /// <summary>The last successful request; null before the first.</summary>
    public LastRequestStatus? Last { get; set; }
}

internal sealed class LastRequestStatus
{
    public DateTimeOffset At { get; set; }

    public int PromptTokens { get; set; }

    public int CachedTokens { get; set; }

    public int OutputTokens { get; set; }

    public double? CachedShare { get; set; }

    public double? TokensPerSecond { get; set; }

    public double? TtftSeconds { get; set; }
}

/// <summary>One finished request.</summary>
internal sealed class RecentRequestStatus
{
    public DateTimeOffset At { get; set; }

    public string Backend { get; set; } = "";

    public string Model { get; set; } = "";

    public string Class { get; set; } = "";

    public int Status { get; set; }

    public double? TtftSeconds { get; set; }

    public double? CachedShare { get; set; }

    public int PromptTokens { get; set; }

    public int CachedTokens { get; set; }

    /// <summary>How it kept the conversation's cache: <c>local-answer</c>, <c>slot 1</c>, <c>affinity …</c>, <c>shared</c>.</summary>
    public string? Strategy { get; set; }

    public string? Conversation { get; set; }
}

/// <summary>One conversation's cache figures.</summary>
internal sealed class ConversationStatus
{
    public string Key { get; set; } = "";

    public string Backend { get; set; } = "";

    public int Requests { get; set; }

    public long PromptTokens { get; set; }

    public long CachedTokens { get; set; }

    public double? CachedShare { get; set; }
}

/// <summary>A backend's model server: who started it, its process, uptime and restarts.</summary>
internal sealed class ModelServerStatus
{
    public string Backend { get; set; } = "";

    public string Command { get; set; } = "";

    /// <summary><c>not-started</c>, <c>starting</c>, <c>up</c>, <c>external</c>, <c>restarting</c>, <c>failed</c>, …</summary>
    public string State { get; set; } = "";

    public bool StartedByAnyClaude { get; set; }

    public int? ProcessId { get; set; }

    public double? UptimeSeconds { get; set; }

    public int Restarts { get; set; }

    public string? Message { get; set; }
}

/// <summary>The status model's JSON, source-generated: camelCase names, absent optional fields left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProxyStatus))]
internal sealed partial class StatusJson : JsonSerializerContext;
