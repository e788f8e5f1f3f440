using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Proxy.Routing;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// One short phrase for how a request kept (or did not need) the conversation's cache, for the log line and
/// <c>anyclaude status</c>: <c>local-answer</c>; else what placed it, e.g. <c>affinity 127.0.0.1:8091 slot 0</c>;
/// <c>shared</c> when nothing did (the request used whatever cache its backend has).
/// </summary>
internal static class CacheStrategy
{
    public static string Describe(RoutedRequest routed, BackendCall call)
    {
        if (routed.Strategy is { } chosen)
        {
            return chosen;
        }

        var parts = new List<string>(3);
        if (call.Placement is { } placement)
        {
            parts.Add(placement);
        }

        if (call.Destination is { } destination)
        {
            parts.Add(destination.Authority);
        }

        if (call.Slot is { } slot)
        {
            parts.Add($"slot {slot}");
        }

        return parts.Count == 0 ? "shared" : string.Join(' ', parts);
    }
}
