using Leora.Jobs;
using Leora.Jobs.Webhooks;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Extraction;

/// <summary>
/// Fetches a scan's image from its URL when the job runs, through the webhooks' server-side request forgery guard
/// (<see cref="GuardedHttpClient"/>, allowing <see cref="CrmOptions.ImageUrlAllowedHosts"/>), with the upload's checks:
/// at most <see cref="CrmOptions.MaxImageBytes"/>, and a JPEG, PNG, GIF or WebP by its first bytes. A failure that a later
/// attempt may not meet (5xx, 408, 429, a timeout, a network error) is a <see cref="RetryJobException"/>; one that it
/// would (4xx, a refused address, too large, not an image) is a <see cref="PermanentJobException"/>. Both say why.
/// </summary>
internal sealed class ImageFetcher : IDisposable
{
    private const int MaxRedirects = 5;

    private readonly GuardedHttpClient _http;
    private readonly CrmOptions _options;
    private readonly TimeProvider _time;

    public ImageFetcher(IOptions<CrmOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _http = new GuardedHttpClient(_options.ImageUrlAllowedHosts, "Crm:ImageUrlAllowedHosts");
    }

    /// <summary>The image's bytes and media type (sniffed).</summary>
    public async Task<(byte[] Bytes, string MediaType)> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.ImageFetchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        for (var hop = 0; ; hop++)
        {
            if (_http.Precheck(url) is { } refused) throw new PermanentJobException($"The image URL cannot be fetched: {refused}");
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("image/*");
            HttpResponseMessage response;
            try
            {
                response = await _http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            }
            catch (HttpRequestException ex) when (GuardedHttpClient.FindRefusal(ex) is { } refusal)
            {
                throw new PermanentJobException($"The image URL cannot be fetched: {refusal.Message}", refusal);
            }
            catch (HttpRequestException ex)
            {
                throw new RetryJobException($"The image could not be fetched from {url.Host}: {ex.Message}", null, ex);
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RetryJobException($"The image could not be fetched from {url.Host}: no answer within {_options.ImageFetchTimeout.TotalSeconds:0.#} s.", null, ex);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && status != 304 && response.Headers.Location is { } location)
                {
                    if (hop >= MaxRedirects) throw new PermanentJobException($"The image URL redirects more than {MaxRedirects} times.");
                    url = location.IsAbsoluteUri ? location : new Uri(url, location);
                    continue;
                }
                var answered = $"{url.Host} answered {status} {response.ReasonPhrase}";
                if (status is 408 or 429 or >= 500)
                    throw new RetryJobException($"The image could not be fetched: {answered}.", RetryAfter(response));
                if (status is < 200 or >= 300) throw new PermanentJobException($"The image could not be fetched: {answered}.");
                if (response.Content.Headers.ContentLength > _options.MaxImageBytes) throw TooLarge(url);
                try
                {
                    var bytes = await ReadAtMostAsync(response, _options.MaxImageBytes, linked.Token) ?? throw TooLarge(url);
                    var mediaType = ImageFormat.Sniff(bytes.AsSpan(0, Math.Min(16, bytes.Length)))
                        ?? throw new PermanentJobException($"The file at the image URL is not a JPEG, PNG, GIF or WebP image (checked by its content; it says {response.Content.Headers.ContentType?.MediaType ?? "nothing"}).");
                    return (bytes, mediaType);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    throw new RetryJobException($"The image could not be fetched from {url.Host}: the download broke off ({ex.Message}).", null, ex);
                }
                catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new RetryJobException($"The image could not be fetched from {url.Host}: not downloaded within {_options.ImageFetchTimeout.TotalSeconds:0.#} s.", null, ex);
                }
            }
        }
    }

    private PermanentJobException TooLarge(Uri url) =>
        new($"The image at {url.Host} is larger than {_options.MaxImageBytes / (1024.0 * 1024):0.#} MB (Crm:MaxImageBytes).");

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> (read no further than one byte past it).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > limit) return null;
        }
        return buffer.ToArray();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (delay is null) return null;
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : delay;
    }

    public void Dispose() => _http.Dispose();
}
