namespace Leora.Jobs;

/// <summary>
/// Runs due jobs on demand: one, or a batch within a time budget (what a cron-called endpoint uses on a
/// serverless host). Each call first rescues expired leases, so no daemon is needed (DESIGN.md invariant 5).
/// </summary>
public interface IJobProcessor
{
    /// <summary>Claims and runs the next due job, if any. Returns its report, or null when nothing was due.</summary>
    Task<JobRunReport?> ProcessOneAsync(string? queue = null, CancellationToken cancellationToken = default);

    /// <summary>Claims and runs up to <see cref="BatchOptions.MaxJobs"/> due jobs, several at once.</summary>
    Task<BatchResult> ProcessBatchAsync(BatchOptions options, CancellationToken cancellationToken = default);

    /// <summary>Sends jobs whose lease expired back to pending (or failed). Returns how many.</summary>
    Task<int> RescueExpiredAsync(CancellationToken cancellationToken = default);
}
