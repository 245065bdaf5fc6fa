namespace Leora.Jobs.AspNetCore;

/// <summary>One job of a batch.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Type">The job's type.</param>
/// <param name="Outcome">completed, retried, failed, cancelled, released or lease_lost.</param>
/// <param name="DurationMs">How long the handler ran.</param>
/// <param name="Error">The error, for attempts that did not complete.</param>
public sealed record BatchJobLine(long Id, string Type, string Outcome, double DurationMs, string? Error)
{
    /// <summary>Maps one run report.</summary>
    public static BatchJobLine From(JobRunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new(report.Id, report.Type, JobNames.Outcome(report.Outcome), Math.Round(report.DurationMs, 1), report.Error);
    }
}
