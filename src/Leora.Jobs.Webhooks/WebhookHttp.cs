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

    public void Dispose() => _http.Dispose();
}
