namespace Leora.Jobs;

/// <summary>
/// One queue's or one job type's jobs now (issue 19's Queues and Job types pages): its unfinished jobs by state, what
/// finished in the last hour, and how long its oldest due job has waited.
/// </summary>
/// <param name="Name">The queue or the job type.</param>
/// <param name="Due">Pending jobs that are due now.</param>
/// <param name="Scheduled">Pending jobs not due yet that have never started.</param>
/// <param name="Retrying">Pending jobs not due yet that wait for a next attempt.</param>
/// <param name="Processing">Jobs running now.</param>
/// <param name="CompletedLastHour">Jobs completed in the last hour.</param>
/// <param name="FailedLastHour">Jobs failed in the last hour.</param>
/// <param name="OldestDueAge">How long the oldest due job has been due (its latency), or null when none is due.</param>
public sealed record JobGroupCounts(string Name, long Due, long Scheduled, long Retrying, long Processing, long CompletedLastHour, long FailedLastHour,
    TimeSpan? OldestDueAge);
