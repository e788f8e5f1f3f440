namespace AnyClaude.Host.Http;

/// <summary>
/// The request half of loop detection. Every upstream request carries <c>x-anyclaude-hop</c>: the hops the
/// request being served came through, plus this process's id and the backend it is sent to. An incoming request
/// whose hops include this process's id is one of its own coming back (a backend URL pointing at the proxy, or
/// through another anyclaude), and is refused instead of served again.
/// </summary>
internal static class HopHeader
{
    public const string Name = "x-anyclaude-hop";

    /// <summary>Beyond this many hops a request is refused even without this process's id in them.</summary>
    public const int MaxHops = 8;

    /// <summary>This process: a random id, so another anyclaude in front of or behind this one is not taken for it.</summary>
    public static string ProcessId { get; } = Guid.NewGuid().ToString("N")[..16];

    private static readonly AsyncLocal<string?> IncomingHops = new();

    /// <summary>The hops of the request being served on this async flow (set by <see cref="HopLoopMiddleware"/>).</summary>
    public static string? Incoming
    {
        get => IncomingHops.Value;
        set => IncomingHops.Value = value;
    }

    /// <summary>The header value for a request to <paramref name="backend"/>.</summary>
    public static string Outgoing(string backend)
    {
        string hop = $"{ProcessId};backend={backend}";
        return string.IsNullOrEmpty(Incoming) ? hop : $"{Incoming}, {hop}";
    }

    /// <summary>The backend through which a request of this process came back, or null when it did not.</summary>
    public static string? LoopingBackend(string hops, out int count)
    {
        var entries = hops.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        count = entries.Length;
        foreach (var entry in entries)
        {
            var parts = entry.Split(';', 2, StringSplitOptions.TrimEntries);
            if (parts[0] == ProcessId)
            {
                return parts.Length > 1 && parts[1].StartsWith("backend=", StringComparison.Ordinal) ? parts[1]["backend=".Length..] : "?";
            }
        }

        return null;
    }
}
