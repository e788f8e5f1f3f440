



using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Proxy.Routing;

/// <summary>
/// The routing table requests read now. <c>anyclaude mode</c> and configuration reloads swap it as a whole; a request
/// reads it once, so one that is in flight finishes on the table (and backend) it started with.
/// </summary>
internal sealed class LiveRouting(RoutingTable initial)
{
    private RoutingTable _current = initial;

    public static LiveRouting From(AnyClaudeOptions options) => new(TableOf(options));

    public static RoutingTable TableOf(AnyClaudeOptions options) =>
        new(options.Mode, options.Routing.Routes, options.Routing.Fallbacks, options.Backends.Keys.ToList());

    public RoutingTable Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="backend"/> the default; false (and no change) when no backend has that name.</summary>
    public bool TrySetMode(string backend, out RoutingTable table)
    {
        while (true)
        {
            var current = Current;
            if (current.CanonicalName(backend) is not { } name)
            {
                table = current;
                return false;
            }

            table = current with { Mode = name };
            if (ReferenceEquals(Interlocked.CompareExchange(ref _current, table, current), current))
            {
                return true;
            }
        }
    }

    public void Replace(RoutingTable table) => Volatile.Write(ref _current, table);
}
