namespace Leora.Jobs;

/// <summary>
/// The names of attempt outcomes as they appear on the wire, in metrics (<c>job.outcome</c>) and in the CLI:
/// <c>completed</c>, <c>retried</c>, <c>failed</c>, <c>cancelled</c>, <c>released</c>, <c>lease_lost</c>.
/// One mapping, so that a log line, a metric tag and an HTTP reply name an outcome alike.
/// </summary>
public static class JobOutcomeNames
{
    /// <summary>The name of <paramref name="outcome"/>.</summary>
    public static string Of(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Completed => "completed",
        JobOutcome.Retried => "retried",
        JobOutcome.Failed => "failed",
        JobOutcome.Cancelled => "cancelled",
        JobOutcome.Released => "released",
        JobOutcome.LeaseLost => "lease_lost",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
