using System.Net;
using System.Net.Sockets;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// An HTTP client for URLs that users give, guarded against server-side request forgery: the webhook job's, and any other
/// module's that fetches such a URL (Leora CRM's image URLs), so there is one guard, configured per use by its own list of
/// allowed hosts. Redirects are not followed by the handler (the caller follows them itself, and every connection is
/// checked again), no proxy is used (the guard must see the real host), and every connection goes through
/// <see cref="ConnectAsync"/>, which checks the addresses the host resolved to at the moment of connecting, so DNS
/// rebinding (a name that resolves to a public address for a pre-check, then to 127.0.0.1) cannot get through.
/// </summary>
internal sealed class GuardedHttpClient : IDisposable
{
    private readonly string _allowedHostsSetting;

    /// <param name="allowedHosts">Hosts that may resolve to non-public addresses (<see cref="WebhookAddressGuard"/>).</param>
    /// <param name="allowedHostsSetting">The setting that lists them, named in refusals (<c>Jobs:Webhook:AllowedHosts</c>).</param>
    public GuardedHttpClient(IEnumerable<string> allowedHosts, string allowedHostsSetting)
    {
        _allowedHostsSetting = allowedHostsSetting;
        Guard = new WebhookAddressGuard(allowedHosts);
        // The HttpClient owns the handler (disposeHandler: true) and is disposed with this class.
#pragma warning disable CA2000
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            ConnectCallback = ConnectAsync,
        };
#pragma warning restore CA2000
        Client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Client { get; }

    public WebhookAddressGuard Guard { get; }

    /// <summary>
    /// Null when <paramref name="url"/> may be requested as far as can be told before connecting (an http or https URL
    /// whose host, if an IP literal, is public or allowed), else why not. Names are judged at connect time.
    /// </summary>
    public string? Precheck(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) return $"Refused to call a {url.Scheme} URL: only http and https are allowed.";
        if (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var ip) && !Guard.IsAllowedHost(url.IdnHost) && !WebhookAddressGuard.IsPublic(ip))
            return $"Refused to call {url.Host}: it is a non-public address. Add the host to {_allowedHostsSetting} to allow it.";
        return null;
    }

    /// <summary>The guard's refusal inside <paramref name="ex"/> (the handler wraps it in an HttpRequestException), or null.</summary>
    public static WebhookRefusedException? FindRefusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is WebhookRefusedException refused) return refused;
        return null;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var allowed = Guard.IsAllowedHost(host);
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (!allowed)
        {
            // Every address must be public: connecting to "the first public one" would still let a name that
            // lists both a public and a private address choose its target by racing.
            var refused = addresses.FirstOrDefault(a => !WebhookAddressGuard.IsPublic(a));
            if (refused is not null)
                throw new WebhookRefusedException(
                    $"Refused to call {host}: it resolves to the non-public address {refused}. Add the host to {_allowedHostsSetting} to allow it.");
            if (addresses.Length == 0) throw new WebhookRefusedException($"{host} resolved to no address.");
        }

        // The returned NetworkStream owns the socket; on failure it is disposed here.
#pragma warning disable CA2000
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
#pragma warning restore CA2000
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => Client.Dispose();
}
