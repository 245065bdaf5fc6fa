using System.Net;
using System.Net.Sockets;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// The server-side request forgery rule: which addresses a webhook may reach. Loopback, private (RFC 1918),
/// carrier-grade NAT, link-local (cloud metadata at 169.254.169.254 among them), unique-local, multicast,
/// unspecified and reserved addresses are refused unless the URL's host is allowed by name.
/// </summary>
internal sealed class WebhookAddressGuard
{
    private readonly HashSet<string> _allowedHosts;

    public WebhookAddressGuard(IEnumerable<string> allowedHosts) =>
        _allowedHosts = new HashSet<string>(allowedHosts.Select(Normalize), StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the host was listed in <see cref="WebhookOptions.AllowedHosts"/>: any address it resolves to may be called.</summary>
    public bool IsAllowedHost(string host) => _allowedHosts.Contains(Normalize(host));

    /// <summary>True when an address is public, so any host may resolve to it.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                  // 0.0.0.0/8 "this network"
                || b[0] == 10                                   // 10/8 private
                || (b[0] == 100 && (b[1] & 0xC0) == 64)         // 100.64/10 carrier-grade NAT
                || b[0] == 127                                  // 127/8 loopback
                || (b[0] == 169 && b[1] == 254)                 // 169.254/16 link-local, cloud metadata
                || (b[0] == 172 && (b[1] & 0xF0) == 16)         // 172.16/12 private
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)      // 192.0.0/24 protocol assignments
                || (b[0] == 192 && b[1] == 168)                 // 192.168/16 private
                || (b[0] == 198 && (b[1] & 0xFE) == 18)         // 198.18/15 benchmarking
                || b[0] >= 224);                                // 224/4 multicast, 240/4 reserved, broadcast
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)) return false;
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal) return false;
            var b = address.GetAddressBytes();
            // 64:ff9b::/96 (NAT64) and ::/96 (IPv4-compatible) embed an IPv4 address: judge that one.
            if ((b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
                || b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
                return IsPublic(new IPAddress(b.AsSpan(12, 4)));
            return true;
        }
        return false;
    }

    private static string Normalize(string host) => host.Trim().TrimStart('[').TrimEnd(']').TrimEnd('.');
}
