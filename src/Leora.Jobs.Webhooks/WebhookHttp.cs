using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// The one HTTP client of webhook jobs. Redirects are not followed by the handler (the job follows them itself and
/// re-checks each target), no proxy is used (the guard must see the real host), and every connection goes through
/// <see cref="ConnectAsync"/>, which checks the addresses the host resolved to at the moment of connecting, so DNS
/// rebinding (a name that resolves to a public address for a pre-check, then to 127.0.0.1) cannot get through.
/// </summary>
internal sealed class WebhookHttp : IDisposable
{
    private readonly WebhookAddressGuard _guard;

    public WebhookHttp(IOptions<WebhookOptions> options)
    {
        options.Value.Validate();
        _guard = new WebhookAddressGuard(options.Value.AllowedHosts);
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

    public WebhookAddressGuard Guard => _guard;

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var allowed = _guard.IsAllowedHost(host);
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
                    $"Refused to call {host}: it resolves to the non-public address {refused}. Add the host to Jobs:Webhook:AllowedHosts to allow it.");
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
