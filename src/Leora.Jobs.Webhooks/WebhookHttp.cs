using Microsoft.Extensions.Options;

namespace Leora.Jobs.Webhooks;

/// <summary>The one HTTP client of webhook jobs: a <see cref="GuardedHttpClient"/> allowing <see cref="WebhookOptions.AllowedHosts"/>.</summary>
internal sealed class WebhookHttp : IDisposable
{
    private readonly GuardedHttpClient _http;

    public WebhookHttp(IOptions<WebhookOptions> options)
    {
        options.Value.Validate();
        _http = new GuardedHttpClient(options.Value.AllowedHosts, "Jobs:Webhook:AllowedHosts");
    }

    public HttpClient Client => _http.Client;

    public WebhookAddressGuard Guard => _http.Guard;

    /// <summary>Null when <paramref name="url"/> may be requested as far as can be told before connecting, else why not (<see cref="GuardedHttpClient.Precheck"/>).</summary>
    public string? Precheck(Uri url) => _http.Precheck(url);

    public void Dispose() => _http.Dispose();
}
