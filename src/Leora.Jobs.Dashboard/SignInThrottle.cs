using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// Limits sign-in attempts per client address: at most <see cref="JobsDashboardOptions.SignInAttemptLimit"/> in a
/// fixed window of <see cref="JobsDashboardOptions.SignInAttemptWindow"/> that starts at the address's first attempt.
/// Every attempt counts, right key or wrong: a limited address is refused before its key is looked at, so guessing
/// gains nothing from the answers. IPv6 clients are counted per /64 (one customer's network), IPv4 per address.
/// Kept in memory, per process, on the <see cref="TimeProvider"/> the dashboard is given; at most
/// <see cref="MaxAddresses"/> addresses are tracked, and past that new addresses are refused until windows end (under
/// a sign-in flood from that many addresses, refusing is the safe side).
/// </summary>
/// <remarks>
/// Not System.Threading.RateLimiting's partitioned limiter: its windows run on the machine's clock only, so a test
/// would have to wait out a real window; this one is a few lines on the injected clock.
/// </remarks>
internal sealed class SignInThrottle(IOptions<JobsDashboardOptions> options, TimeProvider time)
{
    public const int MaxAddresses = 100_000;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts an attempt from <paramref name="remote"/>: null when it may go ahead, else when the address may try again
    /// and whether this is its first refusal in the window (the one worth a log line).
    /// </summary>
    public Refusal? TryAttempt(IPAddress? remote)
    {
        var o = options.Value;
        if (o.SignInAttemptLimit == 0) return null;
        var now = time.GetUtcNow();
        var key = Partition(remote);
        lock (_lock)
        {
            if (_windows.TryGetValue(key, out var window) && now < window.Ends)
            {
                _windows[key] = window with { Attempts = window.Attempts + 1 };
                return window.Attempts >= o.SignInAttemptLimit ? new Refusal(window.Ends, window.Ends - now, window.Attempts == o.SignInAttemptLimit) : null;
            }
            if (_windows.Count >= MaxAddresses && !_windows.ContainsKey(key))
            {
                foreach (var (k, _) in _windows.Where(p => now >= p.Value.Ends).ToList()) _windows.Remove(k);
                if (_windows.Count >= MaxAddresses) return new Refusal(now + o.SignInAttemptWindow, o.SignInAttemptWindow, false);
            }
            _windows[key] = new Window(now + o.SignInAttemptWindow, 1);
            return null;
        }
    }

    private static string Partition(IPAddress? remote)
    {
        if (remote is null) return "-";
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        if (remote.AddressFamily != AddressFamily.InterNetworkV6) return remote.ToString();
        var bytes = remote.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>An attempt refused: the address may try again at <paramref name="Until"/>, after <paramref name="Wait"/>.</summary>
    internal readonly record struct Refusal(DateTimeOffset Until, TimeSpan Wait, bool First);

    private readonly record struct Window(DateTimeOffset Ends, int Attempts);
}
