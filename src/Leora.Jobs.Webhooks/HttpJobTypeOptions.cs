namespace Leora.Jobs.Webhooks;

/// <summary>
/// Settings of one HTTP job type: a job type whose handler is an HTTP endpoint (docs/http-job-types.md; in the service,
/// the configuration section <c>Jobs:HttpJobTypes:&lt;type&gt;</c>). Checked when the type is added
/// (<c>AddHttpJobType</c>).
/// </summary>
public sealed class HttpJobTypeOptions
{
    /// <summary>The endpoint each attempt is POSTed to: an absolute http or https URL, without credentials. Required.</summary>
    public Uri? Url { get; set; }

    /// <summary>
    /// The Standard Webhooks signing secret, <c>whsec_</c> followed by base64 of 24 to 64 random bytes, shared with the
    /// endpoint (it verifies <c>webhook-signature</c> with it). Required. Never logged.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>How long one request may take before the attempt is retried. Defaults to 30 seconds; at most 1 hour.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts a job of this type gets unless its enqueue says otherwise. Defaults to null: <see cref="JobsOptions.DefaultMaxAttempts"/>.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>The queue of jobs of this type unless their enqueue says otherwise. Defaults to null: <see cref="JobsOptions.DefaultQueue"/>.</summary>
    public string? Queue { get; set; }

    /// <summary>
    /// A JSON Schema (JSON text) every payload of this type must match at enqueue; one that does not is refused (HTTP 400 with
    /// an error per field). Defaults to null: any JSON payload.
    /// </summary>
    public string? PayloadSchema { get; set; }

    /// <summary>
    /// How long an attempt the endpoint deferred (answered 202) may go without a report through its callback before it is
    /// considered lost and retried; each progress report starts it again. Defaults to 1 hour.
    /// </summary>
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromHours(1);
}
