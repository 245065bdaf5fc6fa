using System.Net;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Leora.Jobs;
using Microsoft.Extensions.Options;

namespace Leora.Crm.Claude;

/// <summary>
/// Asks Claude for structured output (a JSON schema) through the official Anthropic SDK, and turns its failures into the
/// queue's: 429, 5xx, 408 and timeouts into <see cref="RetryJobException"/> (honouring <c>retry-after</c>); a refusal, an
/// answer that is not the schema's JSON and other 4xx into <see cref="PermanentJobException"/>.
/// The SDK's own retries are off (MaxRetries = 0): the queue owns retries, with backoff and attempts that survive restarts.
/// </summary>
internal sealed class ClaudeClient : IDisposable
{
    private readonly CrmOptions _options;
    private readonly HttpClient? _http;
    private readonly AnthropicClient? _client;

    public ClaudeClient(IOptions<CrmOptions> options)
    {
        _options = options.Value;
        if (!_options.ImageExtractionConfigured) return;
#pragma warning disable CA2000 // the handlers are owned by _http (disposeHandler: true), disposed with it
        _http = new HttpClient(new RetryAfterCapture.Handler { InnerHandler = new SocketsHttpHandler() }, disposeHandler: true)
        {
            // The SDK applies RequestTimeout per request; this client adds none of its own.
            Timeout = Timeout.InfiniteTimeSpan,
        };
#pragma warning restore CA2000
        var clientOptions = new ClientOptions
        {
            ApiKey = _options.AnthropicApiKey,
            MaxRetries = 0,
            Timeout = _options.RequestTimeout,
            HttpClient = _http,
        };
        if (_options.AnthropicBaseUrl is { Length: > 0 } baseUrl) clientOptions = clientOptions with { BaseUrl = baseUrl };
        _client = new AnthropicClient(clientOptions);
    }

    public bool IsConfigured => _client is not null;

    public string Model => _options.Model;

    /// <summary>Sends one user message (<paramref name="content"/>) and returns the JSON object of the answer.</summary>
    public async Task<JsonElement> AskAsync(string system, IReadOnlyList<ContentBlockParam> content, string schemaJson, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new PermanentJobException("image extraction is not configured (no Anthropic API key)");
        var schema = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(schemaJson)!;
        var parameters = new MessageCreateParams
        {
            Model = _options.Model,
            MaxTokens = _options.MaxTokens,
            System = system,
            Messages = [new UserMessageParam(new MessageContentParam([.. content]))],
            OutputConfig = new OutputConfig { Format = new JsonOutputFormat { Schema = schema } },
        };
        var capture = RetryAfterCapture.Begin();
        Message message;
        try
        {
            message = await client.Messages.Create(parameters, cancellationToken);
        }
        catch (AnthropicApiException ex) when (Retryable(ex.StatusCode))
        {
            var after = capture.RetryAfter;
            throw new RetryJobException($"Claude answered {(int)ex.StatusCode} {ex.StatusCode}; retrying{(after is { } a ? $" after {a.TotalSeconds:0.#} s (retry-after)" : "")}.", after, ex);
        }
        catch (AnthropicApiException ex)
        {
            throw new PermanentJobException($"Claude rejected the request: {(int)ex.StatusCode} {ex.StatusCode}: {Short(ex.ApiMessage ?? ex.Message)}", ex);
        }
        catch (Exception ex) when (ex is AnthropicIOException or HttpRequestException or TimeoutException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new RetryJobException($"Claude could not be reached or did not answer in time: {Short(ex.Message)}", null, ex);
        }
        finally
        {
            RetryAfterCapture.End();
        }
        return ReadAnswer(message);
    }

    private static JsonElement ReadAnswer(Message message)
    {
        if (message.StopReason?.Value() == StopReason.Refusal)
        {
            var why = message.StopDetails?.Explanation;
            throw new PermanentJobException($"Claude refused to read this image{(string.IsNullOrWhiteSpace(why) ? "." : $": {Short(why)}")}");
        }
        if (message.StopReason?.Value() == StopReason.MaxTokens)
            throw new PermanentJobException("Claude's answer was cut off (max tokens reached); it could not be read.");
        var text = string.Concat(message.Content.Select(b => b.Value is TextBlock t ? t.Text : ""));
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new PermanentJobException($"Claude's answer is not the JSON asked for: \"{Short(text)}\"");
        }
    }

    private static bool Retryable(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict || (int)status >= 500;

    private static string Short(string s) => s.Length <= 300 ? s : s[..300] + "…";

    public void Dispose()
    {
        _client?.Dispose();
        _http?.Dispose();
    }
}
