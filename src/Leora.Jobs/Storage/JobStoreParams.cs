namespace Leora.Jobs.Storage;

/// <summary>A job to insert. <see cref="Payload"/> is JSON text that already bound to the type's arguments.</summary>
public sealed record JobInsertParams(
    string Kind,
    string Queue,
    string Payload,
    int Priority,
    int MaxAttempts,
    DateTimeOffset? RunAt,
    TimeSpan? Delay,
    string? IdempotencyKey)
{
    /// <summary>The job's concurrency key, or null (docs/limits.md).</summary>
    public string? ConcurrencyKey { get; init; }
    /// <summary>The W3C <c>traceparent</c> of the activity that enqueued the job, stored with it; null: none.</summary>
    public string? TraceParent { get; init; }
    /// <summary>The W3C <c>tracestate</c> that goes with <see cref="TraceParent"/>; null: none.</summary>
    public string? TraceState { get; init; }
}

/// <summary>Claim up to <see cref="Limit"/> due pending jobs, of one queue or (null) of all.</summary>
public sealed record JobClaimParams(string? Queue, int Limit, TimeSpan Lease, string Worker)
{
    /// <summary>
    /// Claim only jobs of these types (the types the claiming process has handlers for); jobs of other types stay
    /// pending, untouched, for a worker that knows them. Null: any type. Pass the same list instance on every claim:
    /// the stores prepare their parameter from it once.
    /// </summary>
    public IReadOnlyList<string>? Kinds { get; init; }
}

/// <summary>Move a schedule's next run from <see cref="Expected"/> to <see cref="Next"/> (null: it never fires again), if it is still <see cref="Expected"/>.</summary>
public sealed record ScheduleAdvanceParams(string Name, DateTimeOffset Expected, DateTimeOffset? Next);

/// <summary>Record <see cref="JobId"/> as the job of schedule <see cref="Name"/>'s latest tick.</summary>
public sealed record ScheduleLastJobParams(string Name, long JobId);

/// <summary>Complete a job held under <see cref="LockToken"/>.</summary>
public sealed record JobCompleteParams(long Id, Guid LockToken, string? Result);

/// <summary>
/// Fail an attempt of a job held under <see cref="LockToken"/>: back to pending after <see cref="RetryDelay"/>,
/// or (null delay) to <see cref="FinalStatus"/>. <see cref="Error"/> is one <see cref="JobAttemptError"/> as JSON.
/// </summary>
public sealed record JobFailParams(long Id, Guid LockToken, string Error, TimeSpan? RetryDelay, JobStatus FinalStatus = JobStatus.Failed);

/// <summary>Report progress of a job held under <see cref="LockToken"/>.</summary>
public sealed record JobProgressParams(long Id, Guid LockToken, int Percent, string? Message);

/// <summary>
/// Send a failed or cancelled job back to pending, due now, with <see cref="Attempts"/> more attempts than it has used,
/// but never more than <see cref="MaxAttempts"/> in all: a job that has used that many is not retried (Conflict).
/// </summary>
public sealed record JobRetryParams(long Id, int Attempts, int MaxAttempts);

/// <summary>Rescue up to <see cref="Limit"/> processing jobs whose lease expired.</summary>
public sealed record JobRescueParams(int Limit, string Error);

/// <summary>Which way a list runs. Keyset paging by id in both.</summary>
public enum JobListOrder
{
    /// <summary>Highest id first.</summary>
    NewestFirst,
    /// <summary>Lowest id first.</summary>
    OldestFirst,
}

/// <summary>
/// A page of jobs, filtered, by keyset on id: <see cref="AfterId"/> is the last id of the previous page.
/// <see cref="Scheduled"/>: true lists only pending jobs not yet due, false only due ones, null both.
/// </summary>
public sealed record JobListParams(
    JobStatus? Status,
    string? Kind,
    string? Queue,
    int Limit,
    long? AfterId,
    JobListOrder Order,
    bool? Scheduled = null,
    string? IdempotencyKey = null)
{
    /// <summary>True: only jobs that have started at least one attempt; false: only jobs that never started; null: both.</summary>
    public bool? Attempted { get; init; }
    /// <summary>True: only jobs that have used every attempt (attempts ≥ max attempts); false: only jobs with attempts left; null: both.</summary>
    public bool? Exhausted { get; init; }
    /// <summary>
    /// How many jobs a search (<see cref="PayloadContains"/>, or a created or finished range) reads at most: the newest (or,
    /// oldest first, the oldest) this many that pass the other filters, from the cursor on. A search by payload text cannot use
    /// an index (a trigram index on the payload would be written by every claim and completion, which are not HOT updates),
    /// so it is bounded instead.
    /// </summary>
    public const int SearchScanLimit = 100_000;

    /// <summary>Only jobs whose payload's JSON text contains this text, ignoring case (ASCII letters on SQLite).</summary>
    public string? PayloadContains { get; init; }
    /// <summary>Only jobs created at or after this time.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }
    /// <summary>Only jobs created before this time.</summary>
    public DateTimeOffset? CreatedTo { get; init; }
    /// <summary>Only jobs that finished at or after this time.</summary>
    public DateTimeOffset? FinishedFrom { get; init; }
    /// <summary>Only jobs that finished before this time.</summary>
    public DateTimeOffset? FinishedTo { get; init; }

    /// <summary>True when the list is a bounded search (<see cref="SearchScanLimit"/>).</summary>
    public bool IsSearch => PayloadContains is not null || CreatedFrom is not null || CreatedTo is not null || FinishedFrom is not null || FinishedTo is not null;
}

/// <summary>A job this process holds: its id and the claim's lock token.</summary>
public sealed record JobLease(long Id, Guid LockToken);

/// <summary>What the lease holder learns from a heartbeat.</summary>
public enum JobHeartbeatResult
{
    /// <summary>The lease was extended.</summary>
    Extended,
    /// <summary>The lease was extended, and someone asked for the job to be cancelled.</summary>
    CancelRequested,
    /// <summary>This worker no longer holds the job: it must stop and write nothing.</summary>
    Lost,
}

/// <summary>The outcome of a cancel request.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(Leora.Jobs.JobNameEnumConverter<JobCancelResult>))]
public enum JobCancelResult
{
    /// <summary>No such job.</summary>
    NotFound,
    /// <summary>The job was pending and is now cancelled: it will never run.</summary>
    Cancelled,
    /// <summary>The job is running; its handler's token will fire and it will end cancelled.</summary>
    CancelRequested,
    /// <summary>The job had already finished.</summary>
    AlreadyFinished,
}

/// <summary>The outcome of a manual retry, or a delete.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(Leora.Jobs.JobNameEnumConverter<JobActionResult>))]
public enum JobActionResult
{
    /// <summary>No such job.</summary>
    NotFound,
    /// <summary>Done.</summary>
    Done,
    /// <summary>The job's status does not allow it (retry of a pending job, delete of a running one).</summary>
    Conflict,
}
