using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Webhooks;

/// <summary>
/// Settings of the built-in <c>webhook</c> job type (configuration section <c>Jobs:Webhook</c>). Validated at start by
/// <see cref="WebhookOptionsValidator"/>.
/// </summary>
public sealed class WebhookOptions : IValidatableObject
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

    /// <summary>
    /// A Standard Webhooks signing secret (<c>whsec_</c> and base64 of 24 to 64 bytes). When set, every webhook job's request
    /// carries <c>webhook-id</c> (<c>job_&lt;id&gt;_&lt;attempt&gt;</c>), <c>webhook-timestamp</c> and <c>webhook-signature</c>
    /// over its body (empty when it has none), as HTTP job types' requests do. Defaults to null: unsigned. Never logged.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>Throws <see cref="OptionsValidationException"/> when a setting is out of range; for callers that hold options not taken from the container.</summary>
    internal void Validate()
    {
        var result = new WebhookOptionsValidator().Validate(Options.DefaultName, this);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(WebhookOptions), result.Failures);
    }

    // The checks DataAnnotations cannot express here: durations and the entries of a list.
    // Ranges are checked here, not with [Range]: the source-generated copy of RangeAttribute drops ErrorMessage
    // (dotnet/runtime#123137), and the message must name the setting.
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (MaxRedirects is < 0 or > 20) yield return new("Jobs:Webhook:MaxRedirects must be a whole number from 0 to 20.");
        if (DefaultTimeout <= TimeSpan.Zero || DefaultTimeout > TimeSpan.FromSeconds(WebhookTimeoutConverter.Max))
            yield return new($"Jobs:Webhook:DefaultTimeout must be positive and at most {WebhookTimeoutConverter.Max} seconds.");
        if (MaxRetryAfter < TimeSpan.Zero) yield return new("Jobs:Webhook:MaxRetryAfter must not be negative.");
        if (AllowedHosts.Any(string.IsNullOrWhiteSpace)) yield return new("Jobs:Webhook:AllowedHosts has an empty entry.");
        if (Secret is { Length: > 0 } && !WebhookSigner.TryParseSecret(Secret, out _))
            yield return new("Jobs:Webhook:Secret must be whsec_ followed by base64 of 24–64 random bytes (openssl rand -base64 32).");
    }
}
