using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// Runs a <c>webhook</c> job: sends the request, following redirects itself so that each target passes the SSRF guard.
/// 2xx completes (result: status code and duration); 5xx, 408, 429 and network errors retry, honouring
/// <c>Retry-After</c>; any other status fails the job without retry; so does a refused target.
/// </summary>
internal sealed class WebhookJobHandler(WebhookHttp http, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookJobHandler> logger)
    : IJobHandler<WebhookArgs>
{
    private const int ErrorSnippetBytes = 300;
    private static readonly string[] CredentialHeaders = ["Authorization", "Cookie", "Proxy-Authorization"];
    private readonly WebhookOptions _options = options.Value;
    private readonly byte[]? _signingKey = WebhookSigner.TryParseSecret(options.Value.Secret, out var key) ? key : null;

    public async Task HandleAsync(JobContext<WebhookArgs> job, CancellationToken cancellationToken)
    {
        var args = job.Args;
        // Checked at enqueue too; again here, before anything is sent, for arguments that did not come through it (a typed
        // enqueue, a handler test): one CR or LF sent verbatim would add headers or a second request to the wire.
        if (WebhookHeaders.Problem(args.Headers) is { } problem) throw new PermanentJobException(problem);

        var timeout = args.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : _options.DefaultTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = Stopwatch.GetTimestamp();

        var url = args.Url;
        var method = new HttpMethod(args.Method ?? "POST");
        var sendBody = true;
        var sendCredentials = true;
        for (var hop = 0; ; hop++)
        {
            CheckTarget(url);
            using var request = BuildRequest(args, url, method, sendBody, sendCredentials);
            await SignAsync(request, job, linked.Token);
            HttpResponseMessage response;
            try
            {
                response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            }
            catch (HttpRequestException ex) when (FindRefusal(ex) is { } refused)
            {
                Log.WebhookRefused(logger, job.Id, url.Host);
                throw new PermanentJobException(refused.Message, refused);
            }
            catch (HttpRequestException ex)
            {
                throw new RetryJobException($"Request to {url.Host} failed: {ex.Message}", null, ex);
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RetryJobException($"Request to {url.Host} timed out after {timeout.TotalSeconds:0.#} s.", null, ex);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && status != 304 && response.Headers.Location is { } location)
                {
                    if (hop >= _options.MaxRedirects)
                        throw new PermanentJobException($"Too many redirects (more than {_options.MaxRedirects}).");
                    var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                    // 301/302/303 turn a POST into a GET without body, as browsers do; 307/308 repeat the request.
                    if (status == 303 || (status is 301 or 302 && method == HttpMethod.Post))
                    {
                        method = HttpMethod.Get;
                        sendBody = false;
                    }
                    // Credentials are not handed to another origin.
                    if (!SameOrigin(url, next)) sendCredentials = false;
                    url = next;
                    continue;
                }

                var durationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (status is >= 200 and < 300)
                {
                    job.SetResult(new WebhookResult(status, Math.Round(durationMs, 1)));
                    return;
                }

                var snippet = await SnippetAsync(response, linked.Token);
                var message = $"{url.Host} answered {status} {response.ReasonPhrase}{snippet}";
                if (status is 408 or 429 or >= 500)
                    throw new RetryJobException(message, RetryAfter(response));
                throw new PermanentJobException(message);
            }
        }
    }

    private void CheckTarget(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            throw new PermanentJobException($"Refused to follow a redirect to a {url.Scheme} URL.");
        // IP literals are judged before sending; names are judged at connect time, on the addresses they resolve to.
        if (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var ip) && !http.Guard.IsAllowedHost(url.IdnHost) && !WebhookAddressGuard.IsPublic(ip))
            throw new PermanentJobException(
                $"Refused to call {url.Host}: it is a non-public address. Add the host to Jobs:Webhook:AllowedHosts to allow it.");
    }

    private static HttpRequestMessage BuildRequest(WebhookArgs args, Uri url, HttpMethod method, bool sendBody, bool sendCredentials)
    {
        var request = new HttpRequestMessage(method, url);
        string? contentType = null;
        if (args.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase)) { contentType = value; continue; }
                if (!sendCredentials && CredentialHeaders.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (sendBody && args.Body is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } body)
        {
            var isText = body.ValueKind == JsonValueKind.String;
            var content = new StringContent(isText ? body.GetString()! : body.GetRawText(), Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType ?? (isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8"), out var type)
                ? type
                : throw new PermanentJobException($"Content-Type '{contentType}' is not valid.");
            request.Content = content;
        }
        return request;
    }

    /// <summary>
    /// Signs the request per Standard Webhooks when <see cref="WebhookOptions.Secret"/> is set, as HTTP job types' requests are
    /// (the same message id, <c>job_&lt;id&gt;_&lt;attempt&gt;</c>): the receiver can tell a real job from a forged call.
    /// </summary>
    private async Task SignAsync(HttpRequestMessage request, JobContext<WebhookArgs> job, CancellationToken ct)
    {
        if (_signingKey is not { } key) return;
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
        var id = string.Create(CultureInfo.InvariantCulture, $"job_{job.Id}_{job.Attempt}");
        foreach (var (name, value) in WebhookSigner.Headers(key, id, time.GetUtcNow(), body))
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase);

    private static WebhookRefusedException? FindRefusal(Exception? ex) => GuardedHttpClient.FindRefusal(ex);

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        if (delay is null) return null;
        if (delay < TimeSpan.Zero) return TimeSpan.Zero;
        return delay > _options.MaxRetryAfter ? _options.MaxRetryAfter : delay;
    }

    private static async Task<string> SnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[ErrorSnippetBytes];
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            if (read == 0) return "";
            var text = Encoding.UTF8.GetString(buffer, 0, read).ReplaceLineEndings(" ").Trim();
            return text.Length == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $": {text}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }
}
