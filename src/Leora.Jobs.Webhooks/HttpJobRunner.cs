using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// Runs one attempt of an HTTP job type (docs/http-job-types.md): POSTs the signed JSON envelope to the type's endpoint through
/// the webhook job's SSRF-guarded client, and turns the answer into the outcome. 2xx completes (result: the JSON body, or null);
/// 202 defers the attempt (it stays running, the worker's slot is freed, the endpoint reports through its callback); 4xx
/// other than 408 and 429 fails the job for good with the body's message; 429 and 503 with Retry-After retry then; other
/// 5xx, 408, timeouts and network errors retry with backoff. Redirects are not followed.
/// </summary>
internal sealed class HttpJobRunner(
    WebhookHttp http, IOptions<HttpJobOptions> options, IOptions<WebhookOptions> webhookOptions, IServiceProvider services,
    TimeProvider time, ILogger<HttpJobRunner> logger)
{
    private const int MaxResultBytes = 1024 * 1024;
    private const int MaxErrorBytes = 16 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task RunAsync(HttpJobType type, JobAttempt attempt, CancellationToken cancellationToken)
    {
        var row = attempt.Row;
        var now = time.GetUtcNow();
        var body = Envelope(type, attempt, now);
        var url = type.Url;
        if (http.Precheck(url) is { } refusal)
        {
            Log.HttpJobRefused(logger, row.Id, row.Kind, url.Host);
            throw new PermanentJobException(refusal);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = Json;
        request.Content = content;
        var messageId = string.Create(CultureInfo.InvariantCulture, $"job_{row.Id}_{row.Attempts}");
        foreach (var (name, value) in WebhookSigner.Headers(type.Key, messageId, now, body))
            request.Headers.TryAddWithoutValidation(name, value);

        using var deadline = new CancellationTokenSource(type.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            await OutcomeAsync(type, attempt, response, linked.Token);
        }
        catch (HttpRequestException ex) when (GuardedHttpClient.FindRefusal(ex) is { } refused)
        {
            Log.HttpJobRefused(logger, row.Id, row.Kind, url.Host);
            throw new PermanentJobException(refused.Message, refused);
        }
        catch (HttpRequestException ex)
        {
            throw new RetryJobException($"The request to {url.Host} failed: {ex.Message}", null, ex);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RetryJobException(
                string.Create(CultureInfo.InvariantCulture, $"{url.Host} did not answer within {type.Timeout.TotalSeconds:0.###} s (the job type's Timeout)."), null, ex);
        }
    }

    private async Task OutcomeAsync(HttpJobType type, JobAttempt attempt, HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var host = type.Url.Host;
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            attempt.DeferredFor = type.CompletionTimeout;
            return;
        }
        if (status is >= 200 and < 300)
        {
            var (text, complete) = await ReadAsync(response, MaxResultBytes, ct);
            if (!complete) throw new PermanentJobException($"{host} answered {status} with a result larger than {MaxResultBytes} bytes.");
            attempt.ResultJson = IsJson(text) ? text : null;
            return;
        }

        var (answer, _) = await ReadAsync(response, MaxErrorBytes, ct);
        var said = ErrorText(answer);
        var message = $"{host} answered {status} {response.ReasonPhrase}{(said is null ? "" : ": " + said)}";
        if (status is 429 or 503 && RetryAfter(response) is { } at) throw new RetryJobException(message, at);
        if (status is 408 or 429 or >= 500) throw new RetryJobException(message);
        if (status is >= 400 and < 500) throw new PermanentJobException(said ?? message);
        throw new PermanentJobException($"{message}. An HTTP job's endpoint answers 2xx, 202, 4xx or 5xx; redirects are not followed.");
    }

    /// <summary>The envelope each attempt POSTs (the contract in docs/http-job-types.md), as compact JSON.</summary>
    private string Envelope(HttpJobType type, JobAttempt attempt, DateTimeOffset now)
    {
        var row = attempt.Row;
        var callbackBase = options.Value.CallbackBaseUrl ?? services.GetService<HttpJobCallbackBase>()?.Resolve()
            ?? throw new PermanentJobException(
                "The callback URL of HTTP jobs is unknown: set Jobs:PublicBaseUrl (the service's public URL) where no API listens in this process.");
        var callback = string.Create(CultureInfo.InvariantCulture, $"{callbackBase.AbsoluteUri.TrimEnd('/')}/{row.Id}/attempts/{row.Attempts}");
        var buffer = new ArrayBufferWriter<byte>(256 + row.Payload.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", row.Id);
            json.WriteString("type", row.Kind);
            json.WriteNumber("attempt", row.Attempts);
            json.WriteNumber("maxAttempts", row.MaxAttempts);
            json.WritePropertyName("payload");
            json.WriteRawValue(row.Payload);
            json.WritePropertyName("previousResult");
            if (row.Result is { } previous) json.WriteRawValue(previous);
            else json.WriteNullValue();
            json.WriteString("deadline", (now + type.CompletionTimeout).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteStartObject("callback");
            json.WriteString("url", callback);
            json.WriteString("token", JobCallbackToken.Create(type.CallbackKey, row.Id, row.Attempts, attempt.LockToken));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        if (delay is null) return null;
        if (delay < TimeSpan.Zero) return TimeSpan.Zero;
        var max = webhookOptions.Value.MaxRetryAfter;
        return delay > max ? max : delay;
    }

    /// <summary>The body's <c>detail</c>, <c>title</c>, <c>message</c> or <c>error</c> (the first that is a non-empty string), else its text; null when empty.</summary>
    internal static string? ErrorText(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                foreach (var name in (string[])["detail", "title", "message", "error"])
                    if (document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
                        return text;
        }
        catch (JsonException)
        {
            // Not JSON: the text itself is the message.
        }
        return body.Trim();
    }

    private static bool IsJson(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Up to <paramref name="limit"/> bytes of the body as text, and whether that was all of it.</summary>
    private static async Task<(string Text, bool Complete)> ReadAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[Math.Min(limit + 1, 64 * 1024)];
        using var collected = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            collected.Write(buffer, 0, read);
            if (collected.Length > limit) return (Encoding.UTF8.GetString(collected.GetBuffer(), 0, limit), false);
        }
        return (Encoding.UTF8.GetString(collected.GetBuffer(), 0, (int)collected.Length), true);
    }
}
