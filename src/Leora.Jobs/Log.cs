using Microsoft.Extensions.Logging;

namespace Leora.Jobs;

/// <summary>Every log message of Leora.Jobs, with stable event ids from <see cref="LeoraJobsEventId"/>.</summary>
internal static partial class Log
{
    [LoggerMessage(LeoraJobsEventId.Migrated, LogLevel.Information, "Applied migrations of the {Provider} job store: schema version {Version}")]
    public static partial void Migrated(ILogger logger, string provider, int version);

    [LoggerMessage(LeoraJobsEventId.JobCompleted, LogLevel.Debug, "Job {JobId} ({Type}) completed in {DurationMs} ms")]
    public static partial void JobCompleted(ILogger logger, long jobId, string type, double durationMs);

    [LoggerMessage(LeoraJobsEventId.JobRetrying, LogLevel.Warning, "Job {JobId} ({Type}) attempt {Attempt} failed; retrying in {Delay}")]
    public static partial void JobRetrying(ILogger logger, Exception exception, long jobId, string type, int attempt, TimeSpan delay);

    [LoggerMessage(LeoraJobsEventId.JobFailed, LogLevel.Error, "Job {JobId} ({Type}) failed for good after attempt {Attempt}")]
    public static partial void JobFailed(ILogger logger, Exception exception, long jobId, string type, int attempt);

    [LoggerMessage(LeoraJobsEventId.JobCancelled, LogLevel.Information, "Job {JobId} ({Type}) was cancelled while running")]
    public static partial void JobCancelled(ILogger logger, long jobId, string type);

    [LoggerMessage(LeoraJobsEventId.JobLeaseLost, LogLevel.Warning, "Job {JobId} ({Type}): this worker lost its lease; the outcome was not written")]
    public static partial void JobLeaseLost(ILogger logger, long jobId, string type);

    [LoggerMessage(LeoraJobsEventId.JobReleased, LogLevel.Information, "Job {JobId} ({Type}) handed back to pending at shutdown")]
    public static partial void JobReleased(ILogger logger, long jobId, string type);

    [LoggerMessage(LeoraJobsEventId.Rescued, LogLevel.Warning, "Rescued {Count} job(s) whose lease expired")]
    public static partial void Rescued(ILogger logger, int count);

    [LoggerMessage(LeoraJobsEventId.HeartbeatFailed, LogLevel.Warning, "Heartbeat of the {Count} jobs this node holds failed; their leases last until the next one")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(LeoraJobsEventId.WorkerLoopFailed, LogLevel.Error, "Worker loop of queue {Queue} failed; retrying in {Delay}")]
    public static partial void WorkerLoopFailed(ILogger logger, Exception exception, string queue, TimeSpan delay);

    [LoggerMessage(LeoraJobsEventId.WorkerStarted, LogLevel.Information, "Worker started: queue {Queue}, concurrency {Concurrency}")]
    public static partial void WorkerStarted(ILogger logger, string queue, int concurrency);

    [LoggerMessage(LeoraJobsEventId.WorkerStopping, LogLevel.Information, "Worker stopping: waiting up to {Grace} for {Running} running job(s)")]
    public static partial void WorkerStopping(ILogger logger, TimeSpan grace, int running);

    [LoggerMessage(LeoraJobsEventId.OutcomeWriteFailed, LogLevel.Error, "Could not write the outcome of job {JobId}; its lease will expire and it will be rescued")]
    public static partial void OutcomeWriteFailed(ILogger logger, Exception exception, long jobId);

    [LoggerMessage(LeoraJobsEventId.LeaderElected, LogLevel.Information, "Node {Node} is now the maintenance leader")]
    public static partial void LeaderElected(ILogger logger, string node);

    [LoggerMessage(LeoraJobsEventId.LeaderLost, LogLevel.Information, "Node {Node} is no longer the maintenance leader")]
    public static partial void LeaderLost(ILogger logger, string node);

    [LoggerMessage(LeoraJobsEventId.Pruned, LogLevel.Information, "Pruned {Count} finished job(s) older than {Retention}")]
    public static partial void Pruned(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(LeoraJobsEventId.WorkerResumed, LogLevel.Information, "The job database is reachable again; worker loop {Queue} resumed")]
    public static partial void WorkerResumed(ILogger logger, string queue);

    [LoggerMessage(LeoraJobsEventId.BatchHandedBack, LogLevel.Debug, "Job {JobId} ({JobType}) was claimed ahead by a batch that ended before it started; handed back")]
    public static partial void BatchHandedBack(ILogger logger, long jobId, string jobType);

    [LoggerMessage(LeoraJobsEventId.BatchStopping, LogLevel.Information, "The host is stopping: a batch hands back {Waiting} job(s) it had not started and gives its {Running} running job(s) up to {Grace} to finish")]
    public static partial void BatchStopping(ILogger logger, int waiting, int running, TimeSpan grace);

    [LoggerMessage(LeoraJobsEventId.BatchHandBackFailed, LogLevel.Warning, "Job {JobId} was claimed ahead by a batch that ended before it started and could not be handed back; it will be rescued when its lease expires")]
    public static partial void BatchHandBackFailed(ILogger logger, Exception exception, long jobId);

    [LoggerMessage(LeoraJobsEventId.MaintenanceFailed, LogLevel.Warning, "Maintenance ({Service}) failed; it runs again in {Delay}")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception, string service, TimeSpan delay);

    [LoggerMessage(LeoraJobsEventId.ScheduleEnqueued, LogLevel.Debug, "Schedule {Schedule} enqueued job {JobId} for its tick at {Tick}")]
    public static partial void ScheduleEnqueued(ILogger logger, string schedule, long jobId, DateTimeOffset tick);

    [LoggerMessage(LeoraJobsEventId.ScheduleSkipped, LogLevel.Information, "Schedule {Schedule} skipped {Count} tick(s) up to {Tick}: {Reason}")]
    public static partial void ScheduleSkipped(ILogger logger, string schedule, int count, DateTimeOffset tick, string reason);

    [LoggerMessage(LeoraJobsEventId.ScheduleUnknownType, LogLevel.Warning, "Schedule {Schedule} is due but its job type {JobType} is not registered in this process; a process that knows it will enqueue it")]
    public static partial void ScheduleUnknownType(ILogger logger, string schedule, string jobType);

    [LoggerMessage(LeoraJobsEventId.ScheduleDeclared, LogLevel.Information, "Schedule {Schedule} ({Cron}, {TimeZone}) is declared and up to date")]
    public static partial void ScheduleDeclared(ILogger logger, string schedule, string cron, string timeZone);

    [LoggerMessage(LeoraJobsEventId.LimitDeclared, LogLevel.Information,
        "Limit on {Scope} {Name} is stored: rate {Rate} per {RatePeriod}, concurrency {Concurrency}, key concurrency {KeyConcurrency}")]
    public static partial void LimitDeclared(ILogger logger, string scope, string name, int? rate, TimeSpan? ratePeriod, int? concurrency, int? keyConcurrency);

    [LoggerMessage(LeoraJobsEventId.GaugesReadFailed, LogLevel.Warning, "The job gauges could not read the store's stats; they keep their last reading and try again in a few seconds")]
    public static partial void GaugesReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(LeoraJobsEventId.JobDeferred, LogLevel.Debug, "Job {JobId} ({Type}) attempt {Attempt} deferred: it stays processing for up to {CompletionTimeout} until its endpoint reports")]
    public static partial void JobDeferred(ILogger logger, long jobId, string type, int attempt, TimeSpan completionTimeout);

    [LoggerMessage(LeoraJobsEventId.JobCallbackCompleted, LogLevel.Debug, "Job {JobId} ({Type}) attempt {Attempt} completed through its callback")]
    public static partial void JobCallbackCompleted(ILogger logger, long jobId, string type, int attempt);

    [LoggerMessage(LeoraJobsEventId.JobCallbackFailed, LogLevel.Warning, "Job {JobId} ({Type}) attempt {Attempt} reported failure through its callback; {Outcome}")]
    public static partial void JobCallbackFailed(ILogger logger, long jobId, string type, int attempt, string outcome);

    [LoggerMessage(LeoraJobsEventId.JobCallbackUnauthorized, LogLevel.Warning, "A callback for job {JobId} attempt {Attempt} was refused: its token does not belong to that attempt")]
    public static partial void JobCallbackUnauthorized(ILogger logger, long jobId, int attempt);

    [LoggerMessage(LeoraJobsEventId.JobCallbackConflict, LogLevel.Information, "A callback for job {JobId} attempt {Attempt} came after the attempt lost its job; nothing was written")]
    public static partial void JobCallbackConflict(ILogger logger, long jobId, int attempt);
}
