namespace Leora.Jobs;

/// <summary>
/// The names of job statuses and attempt outcomes, as stored in the database, sent on the wire (HTTP API, dashboard,
/// CLI) and tagged on metrics: lower case, words joined by <c>_</c>. The one table of them; everything else asks here.
/// </summary>
internal static class JobNames
{
    /// <summary>The name of a status: <c>pending</c>, <c>processing</c>, <c>completed</c>, <c>failed</c>, <c>cancelled</c> or <c>waiting</c>.</summary>
    public static string Status(JobStatus status) => status switch
    {
        JobStatus.Pending => "pending",
        JobStatus.Processing => "processing",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        JobStatus.Waiting => "waiting",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>
    /// The name of an attempt's outcome: <c>completed</c>, <c>retried</c>, <c>failed</c>, <c>cancelled</c>,
    /// <c>released</c>, <c>lease_lost</c> or <c>deferred</c>.
    /// </summary>
    public static string Outcome(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Completed => "completed",
        JobOutcome.Retried => "retried",
        JobOutcome.Failed => "failed",
        JobOutcome.Cancelled => "cancelled",
        JobOutcome.Released => "released",
        JobOutcome.LeaseLost => "lease_lost",
        JobOutcome.Deferred => "deferred",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    /// <summary>The name of a pause's scope: <c>queue</c> or <c>type</c>.</summary>
    public static string PauseScope(JobPauseScope scope) => scope switch
    {
        JobPauseScope.Queue => "queue",
        JobPauseScope.Type => "type",
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };

    /// <summary>Parses a pause scope's name (<c>queue</c>, <c>type</c>), ignoring case and surrounding spaces; returns false for anything else.</summary>
    public static bool TryParsePauseScope(string? name, out JobPauseScope scope)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "queue": scope = JobPauseScope.Queue; return true;
            case "type": scope = JobPauseScope.Type; return true;
            default: scope = default; return false;
        }
    }

    /// <summary>Parses a status name, ignoring case and surrounding spaces; returns false for anything else.</summary>
    public static bool TryParseStatus(string? name, out JobStatus status)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "pending": status = JobStatus.Pending; return true;
            case "processing": status = JobStatus.Processing; return true;
            case "completed": status = JobStatus.Completed; return true;
            case "failed": status = JobStatus.Failed; return true;
            case "cancelled": status = JobStatus.Cancelled; return true;
            case "waiting": status = JobStatus.Waiting; return true;
            default: status = default; return false;
        }
    }

    /// <summary>Parses a status name; throws <see cref="FormatException"/> on anything else.</summary>
    public static JobStatus ParseStatus(string name) =>
        TryParseStatus(name, out var status) ? status : throw new FormatException($"Unknown job status '{name}'.");
}

/// <summary>The stored names of a job's place in a batch (<see cref="JobBatchRole"/>).</summary>
internal static class JobBatchRoleNames
{
    /// <summary>The stored name: <c>member</c>, <c>on_complete</c>, <c>on_success</c> or <c>on_failure</c>.</summary>
    public static string Name(JobBatchRole role) => role switch
    {
        JobBatchRole.Member => "member",
        JobBatchRole.OnComplete => "on_complete",
        JobBatchRole.OnSuccess => "on_success",
        JobBatchRole.OnFailure => "on_failure",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>Parses a stored name; throws <see cref="FormatException"/> on anything else.</summary>
    public static JobBatchRole Parse(string name) => name switch
    {
        "member" => JobBatchRole.Member,
        "on_complete" => JobBatchRole.OnComplete,
        "on_success" => JobBatchRole.OnSuccess,
        "on_failure" => JobBatchRole.OnFailure,
        _ => throw new FormatException($"Unknown batch role '{name}'."),
    };
}
