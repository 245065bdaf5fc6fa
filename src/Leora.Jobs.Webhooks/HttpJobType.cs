using System.Text.Json;

namespace Leora.Jobs.Webhooks;

/// <summary>One HTTP job type's settings, checked (<see cref="Create"/>): what its runner and its enqueue check need.</summary>
internal sealed class HttpJobType
{
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    private HttpJobType(string kind, Uri url, byte[] key, TimeSpan timeout, TimeSpan completionTimeout, HttpJobPayloadSchema? schema)
    {
        Kind = kind;
        Url = url;
        Key = key;
        CallbackKey = JobCallbackToken.DeriveKey(key);
        Timeout = timeout;
        CompletionTimeout = completionTimeout;
        Schema = schema;
    }

    public string Kind { get; }
    public Uri Url { get; }
    /// <summary>The signing key (the secret's bytes). Never logged.</summary>
    public byte[] Key { get; }
    /// <summary>The key of the attempts' callback tokens, derived from the secret, so every node configured with the type shares it. Never logged.</summary>
    public byte[] CallbackKey { get; }
    public TimeSpan Timeout { get; }
    public TimeSpan CompletionTimeout { get; }
    public HttpJobPayloadSchema? Schema { get; }

    /// <summary>
    /// Checks <paramref name="options"/>; throws <see cref="ArgumentException"/> whose message starts with
    /// <paramref name="source"/> (in the service, the configuration section: <c>Jobs:HttpJobTypes:report.build</c>).
    /// </summary>
    public static HttpJobType Create(string kind, HttpJobTypeOptions options, string source)
    {
        if (string.IsNullOrWhiteSpace(kind) || kind.Length > 200 || kind.Any(char.IsControl))
            throw new ArgumentException($"{source}: the job type's name must be 1–200 characters without control characters.");
        var url = options.Url ?? throw new ArgumentException($"{source}:Url is missing: the endpoint each attempt is POSTed to.");
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"{source}:Url must be an absolute http or https URL (was '{url.OriginalString}').");
        if (!string.IsNullOrEmpty(url.UserInfo))
            throw new ArgumentException($"{source}:Url must not carry credentials: the requests are signed with the secret.");
        if (string.IsNullOrEmpty(options.Secret))
            throw new ArgumentException($"{source}:Secret is missing: a Standard Webhooks secret, whsec_ followed by base64 of 24–64 random bytes.");
        if (!WebhookSigner.TryParseSecret(options.Secret, out var key))
            throw new ArgumentException($"{source}:Secret must be whsec_ followed by base64 of 24–64 random bytes (openssl rand -base64 32).");
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > MaxTimeout)
            throw new ArgumentException($"{source}:Timeout must be positive and at most 1 hour.");
        if (options.CompletionTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"{source}:CompletionTimeout must be positive.");
        if (options.MaxAttempts is < 1)
            throw new ArgumentException($"{source}:MaxAttempts must be at least 1.");
        if (options.Queue is { } queue && !QueueName.IsValid(queue))
            throw new ArgumentException($"{source}:Queue '{queue}' is not a valid queue name.");
        var schema = options.PayloadSchema is { Length: > 0 } text ? HttpJobPayloadSchema.Parse(text, $"{source}:PayloadSchema") : null;
        return new HttpJobType(kind, url, key, options.Timeout, options.CompletionTimeout, schema);
    }

    /// <summary>The enqueue check: the payload must be JSON (an object, unless the schema says otherwise) and match the schema. Returns it as stored.</summary>
    public string Bind(JsonElement payload)
    {
        if (payload.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            throw new JobValidationException("The payload is missing.", "payload");
        if (Schema is { } schema) schema.Check(payload);
        else if (payload.ValueKind != JsonValueKind.Object)
            throw new JobValidationException($"The payload of job type '{Kind}' must be a JSON object.", "payload");
        return payload.GetRawText();
    }
}
