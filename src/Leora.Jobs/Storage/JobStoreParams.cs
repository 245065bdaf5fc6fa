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
    string? IdempotencyKey);

/// <summary>Claim up to <see cref="Limit"/> due pending jobs, of one queue or (null) of all.</summary>
public sealed record JobClaimParams(string? Queue, int Limit, TimeSpan Lease, string Worker);

/// <summary>Complete a job held under <see cref="LockToken"/>.</summary>
public sealed record JobCompleteParams(long Id, Guid LockToken, string? Result);

/// <summary>
/// Fail an attempt of a job held under <see cref="LockToken"/>: back to pending after <see cref="RetryDelay"/>,
/// or (null delay) to <see cref="FinalStatus"/>. <see cref="Error"/> is one <see cref="JobAttemptError"/> as JSON.
/// </summary>
public sealed record JobFailParams(long Id, Guid LockToken, string Error, TimeSpan? RetryDelay, JobStatus FinalStatus = JobStatus.Failed);

/// <summary>Report progress of a job held under <see cref="LockToken"/>.</summary>
public sealed record JobProgressParams(long Id, Guid LockToken, int Percent, string? Message);

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
    string? IdempotencyKey = null);

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
public enum JobActionResult
{
    /// <summary>No such job.</summary>
    NotFound,
    /// <summary>Done.</summary>
    Done,
    /// <summary>The job's status does not allow it (retry of a pending job, delete of a running one).</summary>
    Conflict,
}

/// <summary>Counts for monitoring.</summary>
public sealed record JobStats
{
    /// <summary>Jobs by status.</summary>
    public required IReadOnlyDictionary<JobStatus, long> ByStatus { get; init; }
    /// <summary>Unfinished jobs (pending or processing) by type, then status.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>> ByType { get; init; }
    /// <summary>Unfinished jobs (pending or processing) by queue, then status.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>> ByQueue { get; init; }
    /// <summary>Pending jobs that are due now.</summary>
    public required long DuePending { get; init; }
    /// <summary>Pending jobs scheduled for later.</summary>
    public required long Scheduled { get; init; }
    public required long CompletedLastMinute { get; init; }
    public required long FailedLastMinute { get; init; }
    public required long CompletedLastHour { get; init; }
    public required long FailedLastHour { get; init; }
    /// <summary>How long the oldest due pending job has been waiting; null when none is due.</summary>
    public TimeSpan? OldestDuePendingAge { get; init; }
    /// <summary>The database's time when the stats were read.</summary>
    public required DateTimeOffset Now { get; init; }
    /// <summary>The worker nodes registered in the nodes table, by name; silent ones included and marked. Empty from a store's own counts: <see cref="IJobClient.StatsAsync"/> fills it.</summary>
    public IReadOnlyList<JobNode> Nodes { get; init; } = [];

    /// <summary>Builds stats from a store's counts and its last hour of <paramref name="throughput"/> (oldest minute first).</summary>
    public static JobStats Create(
        IReadOnlyDictionary<JobStatus, long> byStatus,
        IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>> byType,
        IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>> byQueue,
        long duePending, long scheduled, TimeSpan? oldestDuePendingAge,
        IReadOnlyList<JobThroughputPoint> throughput, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(throughput);
        return new JobStats
        {
            ByStatus = byStatus,
            ByType = byType,
            ByQueue = byQueue,
            DuePending = duePending,
            Scheduled = scheduled,
            CompletedLastMinute = throughput[^1].Completed,
            FailedLastMinute = throughput[^1].Failed,
            CompletedLastHour = throughput.Sum(p => p.Completed),
            FailedLastHour = throughput.Sum(p => p.Failed),
            OldestDuePendingAge = oldestDuePendingAge,
            Now = now,
        };
    }
}

/// <summary>Completed and failed jobs in one minute of the recent past.</summary>
public sealed record JobThroughputPoint(DateTimeOffset Minute, long Completed, long Failed);
