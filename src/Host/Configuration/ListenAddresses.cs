using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace AnyClaude.Host.Configuration;

/// <summary>The <c>host</c> setting: an IP address, <c>localhost</c> (loopback) or <c>*</c> (every interface).</summary>
internal static class ListenAddresses
{
    public static bool TryParse(string host, [NotNullWhen(true)] out IPAddress? address)
    {
        address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        return address is not null;
    }

    public static IPAddress Parse(string host) =>
        TryParse(host, out var address) ? address : throw new FormatException($"host: '{host}' is not an IP address, 'localhost' or '*'");

    /// <summary>Loopback, including an IPv4 loopback address mapped to IPv6 (<c>::ffff:127.0.0.1</c>).</summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is not null && (IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4())));
}
