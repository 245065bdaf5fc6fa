namespace Leora.Jobs.Webhooks;

/// <summary>Settings of the built-in <c>webhook</c> job type (configuration section <c>Jobs:Webhook</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Host names (or IP literals) that may be called even when they resolve to loopback, private, link-local,
    /// unique-local or multicast addresses, which are refused otherwise (server-side request forgery guard).
    /// Compared case-insensitively with the URL's host, exactly (no wildcards). Defaults to empty.
    /// </summary>
    public IList<string> AllowedHosts { get; } = new List<string>();

    /// <summary>How many redirects one request may follow; each target is checked like the first. Defaults to 5.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>The time limit of a request whose payload names none. Defaults to 30 seconds.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest <c>Retry-After</c> honoured; longer values are capped. Defaults to 1 hour.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    internal void Validate()
    {
        if (MaxRedirects is < 0 or > 20) throw new InvalidOperationException("Jobs:Webhook:MaxRedirects must be 0–20.");
        if (DefaultTimeout <= TimeSpan.Zero || DefaultTimeout > TimeSpan.FromSeconds(WebhookTimeoutConverter.Max))
            throw new InvalidOperationException($"Jobs:Webhook:DefaultTimeout must be positive and at most {WebhookTimeoutConverter.Max} seconds.");
        if (MaxRetryAfter < TimeSpan.Zero) throw new InvalidOperationException("Jobs:Webhook:MaxRetryAfter must not be negative.");
        foreach (var host in AllowedHosts)
            if (string.IsNullOrWhiteSpace(host)) throw new InvalidOperationException("Jobs:Webhook:AllowedHosts has an empty entry.");
    }
}
