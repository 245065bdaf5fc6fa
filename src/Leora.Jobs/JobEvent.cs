namespace Leora.Jobs;

/// <summary>
/// One event of a job's life, as the store recorded it when it happened (docs/dashboard.md, "Timeline"): oldest first in
/// <see cref="IJobClient.TimelineAsync"/>. The store writes it in the same statement or transaction as the change it
/// records, and deletes it with the job: as a row of its events table or, for the enqueue, the latest claim and the
/// completion, as the job row's own created, started and completed times.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="At">When, by the store's clock (the database's on PostgreSQL).</param>
/// <param name="Status">The job's status right after the event (for <see cref="JobEventKind.Failed"/>: pending means it will retry).</param>
/// <param name="Attempt">The job's attempt count after the event (0 before its first claim).</param>
/// <param name="Worker">The worker that claimed, held or lost the job; null where none did.</param>
/// <param name="Message">The error message of a failure or rescue; null otherwise.</param>
public sealed record JobEvent(JobEventKind Kind, DateTimeOffset At, JobStatus Status, int Attempt, string? Worker, string? Message)
{
    /// <summary>The wire and database name of <paramref name="kind"/>: <c>claimed</c>, <c>cancel_requested</c>.</summary>
    internal static string KindName(JobEventKind kind) => kind switch
    {
        JobEventKind.Enqueued => "enqueued",
        JobEventKind.Claimed => "claimed",
        JobEventKind.Completed => "completed",
        JobEventKind.Failed => "failed",
        JobEventKind.Rescued => "rescued",
        JobEventKind.Released => "released",
        JobEventKind.Cancelled => "cancelled",
        JobEventKind.CancelRequested => "cancel_requested",
        JobEventKind.Retried => "retried",
        JobEventKind.RunNow => "run_now",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kind a stored name stands for (<see cref="KindName"/>).</summary>
    internal static JobEventKind ParseKind(string name) => name switch
    {
        "enqueued" => JobEventKind.Enqueued,
        "claimed" => JobEventKind.Claimed,
        "completed" => JobEventKind.Completed,
        "failed" => JobEventKind.Failed,
        "rescued" => JobEventKind.Rescued,
        "released" => JobEventKind.Released,
        "cancelled" => JobEventKind.Cancelled,
        "cancel_requested" => JobEventKind.CancelRequested,
        "retried" => JobEventKind.Retried,
        "run_now" => JobEventKind.RunNow,
        _ => throw new FormatException($"'{name}' is not a job event kind."),
    };
}
