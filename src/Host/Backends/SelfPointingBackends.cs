using System.Net.NetworkInformation;
using System.Net;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Backends;

/// <summary>
/// The start-up half of loop detection: a backend URL that is the proxy's own listening address (same port, on a
/// loopback or local address or the listening host) would send every request back into anyclaude. The request half
/// is <see cref="HopHeader"/>. Checked against the port actually bound: when the configured one was taken (by
/// the model server itself, say) and a free one was used, a backend on the configured port is not the proxy.
/// </summary>
internal static class SelfPointingBackends
{
    /// <summary>Writes one line per backend with a URL (any of a pool's) that points at the proxy; true when it is the selected one (start-up stops).</summary>
    public static bool Report(AnyClaudeOptions options, int listeningPort, TextWriter output)
    {
        var listening = ListenAddresses.Parse(options.Host);
        bool selectedLoops = false;
        foreach (var (name, backend) in options.Backends)
        {
            // A pool is checked at every destination; the line names the first that loops (urls[i]).
            var urls = backend.Urls.Count > 1 ? backend.Urls : [backend.Url];
            int index = urls.ToList().FindIndex(url => PointsAt(url, listening, listeningPort));
            if (index < 0)
            {
                continue;
            }

            string setting = backend.Urls.Count > 1 ? $"urls[{index}]" : "url";
            bool selected = string.Equals(name, options.Mode, StringComparison.OrdinalIgnoreCase);
            selectedLoops |= selected;
            output.WriteLine(
                $"anyclaude: {(selected ? "" : "warning: ")}backends.{name}.{setting}: {urls[index]} is this proxy's own address " +
                $"(anyclaude listens on {options.Host}:{listeningPort}), so its requests would come back into anyclaude; " +
                "point it at the model server, or run anyclaude on another port (--port or ANYCLAUDE_PORT)");
        }

        return selectedLoops;
    }

    public static bool PointsAt(Uri url, IPAddress listening, int listeningPort)
    {
        if (url.Port != listeningPort)
        {
            return false;
        }

        bool any = listening.Equals(IPAddress.Any) || listening.Equals(IPAddress.IPv6Any);
        if (IPAddress.TryParse(url.DnsSafeHost, out var address))
        {
            return ListenAddresses.IsLoopback(address)
                ? any || ListenAddresses.IsLoopback(listening)
                : address.Equals(listening) || (any && LocalAddresses().Contains(address));
        }

        // A name: localhost is loopback; this machine's own name is one of its addresses (no DNS look-up at start-up).
        string host = url.DnsSafeHost;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            ? any || ListenAddresses.IsLoopback(listening)
            : host.Equals(Dns.GetHostName(), StringComparison.OrdinalIgnoreCase);
    }

    private static HashSet<IPAddress> LocalAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
