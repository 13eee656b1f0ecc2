using System.Net;
using System.Net.Sockets;

namespace AuthApiTemplate.Infrastructure.RateLimiting;

/// <summary>
/// The client address a per-client limit counts against. An IPv6 client is usually given a whole /64
/// and may use any address in it, so IPv6 addresses count by their /64 prefix; IPv4 addresses (also
/// when mapped into IPv6) count one by one. Behind a reverse proxy this is the proxy's address unless
/// the forwarded-headers middleware runs first.
/// </summary>
public static class ClientAddress
{
    public static string PartitionOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>
    /// Whether the client is this host itself (127.0.0.0/8 or ::1, also as an IPv4-mapped IPv6 address). Behind
    /// a reverse proxy on the same host every client looks like this unless the forwarded-headers middleware runs first.
    /// </summary>
    public static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
        && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
