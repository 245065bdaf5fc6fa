using System.ComponentModel.DataAnnotations;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// Settings of the Leora Jobs dashboard. Validated at start by <see cref="JobsDashboardOptionsValidator"/>. By default the dashboard signs operators in with the
/// API keys of the job service (<c>JOB_PROCESSOR_API_KEY</c> and <c>Jobs:ApiKeys</c> in configuration); set
/// <see cref="AuthorizationPolicy"/> to use the host's own ASP.NET Core authentication instead.
/// </summary>
public sealed class JobsDashboardOptions : IValidatableObject
{
    /// <summary>Keys that may sign in and act, in addition to those in configuration. Defaults to empty.</summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>
    /// Keys that may sign in and look but not act, in addition to <c>Jobs:Dashboard:ReadOnlyKeys</c> in configuration.
    /// A key listed both here and as a full key is read-only. Defaults to empty.
    /// </summary>
    public IList<string> ReadOnlyKeys { get; } = [];

    /// <summary>
    /// The name of a host authorization policy. When set, the dashboard uses the host's authentication instead of
    /// API keys: a user who satisfies the policy may look; unauthenticated page requests are challenged.
    /// Defaults to null: API-key sign-in.
    /// </summary>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>
    /// With <see cref="AuthorizationPolicy"/>: the policy a user must also satisfy to act (retry, cancel, delete,
    /// enqueue, clean up). Defaults to null: every user who may look may act.
    /// </summary>
    public string? ActionPolicy { get; set; }

    /// <summary>Makes the whole dashboard read-only, whoever signs in. Defaults to false.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>How long an API-key session lasts. Defaults to 8 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// The most sign-in attempts, right key or wrong, that one client address may make in <see cref="SignInAttemptWindow"/>
    /// (IPv6 addresses are counted per /64 network). Past it, sign-in answers 429 with <c>Retry-After</c> until the window
    /// ends. 0 turns the limit off (for a host that limits sign-in itself). Defaults to 10.
    /// </summary>
    public int SignInAttemptLimit { get; set; } = 10;

    /// <summary>The window of <see cref="SignInAttemptLimit"/>, from an address's first attempt. Defaults to 1 minute.</summary>
    public TimeSpan SignInAttemptWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often open pages refresh themselves. Defaults to 2 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most jobs one "retry all failed" action sends back. Defaults to 1,000.</summary>
    public int RetryAllLimit { get; set; } = 1000;

    /// <summary>The overview turns red when the oldest due pending job has waited longer than this. Defaults to 5 minutes.</summary>
    public TimeSpan BacklogAlertAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The overview turns red when, over the last 5 minutes, at least this share of finished attempts failed
    /// (0–1). Defaults to 0.1.
    /// </summary>
    public double FailureAlertRatio { get; set; } = 0.1;

    /// <summary>The title shown in the page header. Defaults to <c>Leora Jobs</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Jobs:Dashboard:Title must not be empty.")]
    public string Title { get; set; } = "Leora Jobs";

    // The checks DataAnnotations cannot express here: durations, a ratio's open bound, and a rule that relates two settings.
    // Ranges are checked here, not with [Range]: the source-generated copy of RangeAttribute drops ErrorMessage
    // (dotnet/runtime#123137), and the message must name the setting.
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (RetryAllLimit is < 1 or > 100_000) yield return new("Jobs:Dashboard:RetryAllLimit must be 1–100000.");
        if (SessionLifetime < TimeSpan.FromMinutes(1)) yield return new("Jobs:Dashboard:SessionLifetime must be at least 1 minute.");
        if (SignInAttemptLimit is < 0 or > 10_000) yield return new("Jobs:Dashboard:SignInAttemptLimit must be 0 (no limit) to 10000.");
        if (SignInAttemptWindow < TimeSpan.FromSeconds(1) || SignInAttemptWindow > TimeSpan.FromDays(1))
            yield return new("Jobs:Dashboard:SignInAttemptWindow must be 1 second to 1 day.");
        if (PollInterval < TimeSpan.FromMilliseconds(250)) yield return new("Jobs:Dashboard:PollInterval must be at least 250 ms.");
        if (BacklogAlertAge <= TimeSpan.Zero) yield return new("Jobs:Dashboard:BacklogAlertAge must be positive.");
        if (FailureAlertRatio is <= 0 or > 1) yield return new("Jobs:Dashboard:FailureAlertRatio must be in (0, 1].");
        if (ActionPolicy is not null && AuthorizationPolicy is null)
            yield return new("Jobs:Dashboard:ActionPolicy needs AuthorizationPolicy.");
    }
}
