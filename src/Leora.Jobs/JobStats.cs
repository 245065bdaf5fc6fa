namespace Leora.Jobs;

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
    /// <summary>
    /// The types that have pending jobs but no handler in the process that read these stats nor in any live worker node
    /// (each node's heartbeat lists its types), sorted: workers claim only the types they have handlers for, so these
    /// jobs wait, untouched, for a worker that knows their type ("no worker for this type"). Empty while a live node of
    /// an earlier release (which does not list its types) runs. Empty from a store's own counts: <see cref="IJobClient.StatsAsync"/> fills it.
    /// </summary>
    public IReadOnlyList<string> TypesWithoutWorker { get; init; } = [];
    /// <summary>
    /// Every rate and concurrency limit stored in the database, with its usage now (jobs started in the current window,
    /// jobs and keys running). Empty from a store's own counts: <see cref="IJobClient.StatsAsync"/> fills it.
    /// </summary>
    public IReadOnlyList<JobLimitUsage> Limits { get; init; } = [];
    /// <summary>
    /// The paused queues and job types (<see cref="IJobPauses"/>), queues first: their pending jobs are counted above but
    /// claimed by nobody until resumed. Empty from a store's own counts: <see cref="IJobClient.StatsAsync"/> fills it.
    /// </summary>
    public IReadOnlyList<JobPause> Paused { get; init; } = [];
    /// <summary>The database's schema version and the latest this build knows. Null from a store's own counts: <see cref="IJobClient.StatsAsync"/> fills it.</summary>
    public JobSchemaVersion? Schema { get; init; }

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
