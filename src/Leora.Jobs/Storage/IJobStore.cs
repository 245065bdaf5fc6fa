using System.Data.Common;

namespace Leora.Jobs.Storage;

/// <summary>
/// The one seam between Leora Jobs and a database: one method per SQL statement, noun first. Each store
/// (SQLite, PostgreSQL) writes its own SQL under the same names and passes the same conformance suite.
/// Every write after a claim is fenced by the claim's lock token and the processing status.
/// </summary>
/// <remarks>
/// This interface is the internal seam between the core and the stores shipped in this repository; it is public only so
/// that those stores can live in their own assemblies. It is not meant to be implemented outside the repository, and it
/// may change in any release without notice. Applications use <see cref="IJobClient"/> to enqueue, read and steer jobs.
/// </remarks>
public interface IJobStore
{
    /// <summary>A short name of the database, such as <c>sqlite</c> or <c>postgresql</c>.</summary>
    string Provider { get; }

    /// <summary>
    /// The schema that holds the jobs tables, for a database that has schemas (PostgreSQL: lower-case letters, digits
    /// and <c>_</c>, validated, so safe to quote into SQL); null for one that has none (SQLite).
    /// </summary>
    string? Schema { get; }

    /// <summary>
    /// Opens a connection to the jobs database, configured as the store configures its own (SQLite: busy timeout,
    /// synchronous level, foreign keys; PostgreSQL: the store's data source), for a caller's own rows and transactions:
    /// a transaction begun on it can be passed to the enqueue overloads that take one, so a domain row and its job
    /// commit or roll back together (applications take it through <see cref="IJobClient.OpenConnectionAsync"/>). The caller
    /// owns and disposes the connection. Leave no session state behind on it: pooled connections are not reset on reuse
    /// (use <c>SET LOCAL</c> in a transaction on PostgreSQL, not <c>SET</c>).
    /// </summary>
    ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Applies the embedded migrations that are not applied yet. Safe when several nodes start at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The highest migration applied, and the highest this store knows.</summary>
    Task<(int Applied, int Latest)> MigrationVersionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts one job, in <paramref name="transaction"/> when given (it must belong to this store's database).
    /// With an idempotency key that is already taken, inserts nothing and returns the existing job's id.
    /// </summary>
    Task<EnqueueResult> JobInsertAsync(JobInsertParams job, DbTransaction? transaction, CancellationToken cancellationToken);

    /// <summary>Inserts many jobs in one round trip; returns their ids in order (existing ids for taken idempotency keys).</summary>
    Task<IReadOnlyList<EnqueueResult>> JobInsertManyAsync(IReadOnlyList<JobInsertParams> jobs, DbTransaction? transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Claims due pending jobs in one statement, by priority (high first), then run_at, then id: each gets a
    /// fresh lock token, a lease, and its attempt counted. Returns them in that order. Jobs under a limit (a limited type or
    /// queue, or a concurrency key) are claimed by a second, serialised statement only within their limits
    /// (docs/limits.md), and may come before the others.
    /// </summary>
    Task<IReadOnlyList<JobRow>> JobClaimAsync(JobClaimParams claim, CancellationToken cancellationToken);

    /// <summary>Completes a job if this token still holds it. False means the lease was lost: nothing was written.</summary>
    Task<bool> JobCompleteAsync(JobCompleteParams complete, CancellationToken cancellationToken);

    /// <summary>
    /// Completes many jobs in one statement (one commit), each only if its token still holds it. Returns the ids that
    /// were completed; an id missing from the answer lost its lease and nothing was written to it.
    /// </summary>
    Task<IReadOnlySet<long>> JobCompleteManyAsync(IReadOnlyList<JobCompleteParams> completes, CancellationToken cancellationToken);

    /// <summary>Fails an attempt if this token still holds the job (retry later or finish). False: nothing was written.</summary>
    Task<bool> JobFailAsync(JobFailParams fail, CancellationToken cancellationToken);

    /// <summary>Hands a held job back to pending without counting the attempt (graceful shutdown). False: nothing was written.</summary>
    Task<bool> JobReleaseAsync(long id, Guid lockToken, CancellationToken cancellationToken);

    /// <summary>Extends a held job's lease by <paramref name="lease"/> from now, and tells whether cancellation was requested.</summary>
    Task<JobHeartbeatResult> JobHeartbeatAsync(long id, Guid lockToken, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the leases of many held jobs in one statement (one commit): the node's batched heartbeat. Returns what the
    /// holder of each job learns; a job missing from the answer is <see cref="JobHeartbeatResult.Lost"/> and nothing was
    /// written to it.
    /// </summary>
    Task<IReadOnlyDictionary<long, JobHeartbeatResult>> JobHeartbeatManyAsync(IReadOnlyList<JobLease> leases, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Stores progress of a held job. False: this token no longer holds it.</summary>
    Task<bool> JobProgressAsync(JobProgressParams progress, CancellationToken cancellationToken);

    /// <summary>Sends processing jobs whose lease expired back to pending, or to failed when no attempt is left. Returns how many.</summary>
    Task<int> JobRescueAsync(JobRescueParams rescue, CancellationToken cancellationToken);

    /// <summary>Reads one job, or null.</summary>
    Task<JobRow?> JobGetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Reads a page of jobs (keyset on id).</summary>
    Task<IReadOnlyList<JobRow>> JobListAsync(JobListParams list, CancellationToken cancellationToken);

    /// <summary>
    /// Counts the jobs a list with these filters would return (its cursor ignored), but stops at <see cref="JobListParams.Limit"/>:
    /// a total that reaches it means "at least that many", so no count scans a large table to the end.
    /// </summary>
    Task<long> JobCountAsync(JobListParams list, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a pending job that is not due yet (scheduled, or waiting to retry) due now. Conflict for a job that is due
    /// already or not pending; nothing else about the job changes.
    /// </summary>
    Task<JobActionResult> JobRunNowAsync(long id, CancellationToken cancellationToken);

    /// <summary>
    /// Per queue (or, with <paramref name="byType"/>, per job type): unfinished jobs by state, jobs finished in the last hour,
    /// and the age of the oldest due job, for every queue or type that has unfinished or recently finished jobs, by name.
    /// </summary>
    Task<IReadOnlyList<JobGroupCounts>> JobCountByGroupAsync(bool byType, CancellationToken cancellationToken);

    /// <summary>Counts jobs by status.</summary>
    Task<IReadOnlyDictionary<JobStatus, long>> JobCountByStatusAsync(CancellationToken cancellationToken);

    /// <summary>Counts for monitoring: by status, type and queue; recent completions and failures; backlog age.</summary>
    Task<JobStats> JobStatsAsync(CancellationToken cancellationToken);

    /// <summary>Completed and failed jobs per minute over the last <paramref name="window"/>, oldest minute first, minutes with none included.</summary>
    Task<IReadOnlyList<JobThroughputPoint>> JobThroughputAsync(TimeSpan window, CancellationToken cancellationToken);

    /// <summary>
    /// The stored events of a job's timeline, oldest first (at most the latest 1,000): every claim, failure, rescue, release,
    /// cancel and retry, written by the statement that made the change. The enqueue is not stored (it is the job's created time).
    /// </summary>
    Task<IReadOnlyList<JobEvent>> JobEventListAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Completed and failed-for-good jobs per bucket of <paramref name="range"/>, read from the bounded history table (migration 010).</summary>
    Task<JobHistory> JobHistoryAsync(JobHistoryRange range, CancellationToken cancellationToken);

    /// <summary>Cancels a pending job, or asks a running one to stop.</summary>
    Task<JobCancelResult> JobCancelAsync(long id, CancellationToken cancellationToken);

    /// <summary>
    /// Sends a failed or cancelled job back to pending, due now, its attempt count and errors kept: max attempts becomes
    /// attempts + <see cref="JobRetryParams.Attempts"/>, capped at <see cref="JobRetryParams.MaxAttempts"/>. Conflict for
    /// other statuses, and for a job that has already used the cap.
    /// </summary>
    Task<JobActionResult> JobRetryAsync(JobRetryParams retry, CancellationToken cancellationToken);

    /// <summary>Deletes a job that is not running.</summary>
    Task<JobActionResult> JobDeleteAsync(long id, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> jobs that finished more than <paramref name="olderThan"/> ago (one bounded statement). Returns how many.</summary>
    Task<int> JobDeleteFinishedAsync(TimeSpan olderThan, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts jobs with their dependencies and batch in one transaction (in <paramref name="transaction"/> when given): a job
    /// with parents that have not all finished is inserted waiting; one whose parent already failed or was cancelled is
    /// cancelled at once unless it runs anyway. Unknown parents, or a batch to add to that has finished or does not exist,
    /// refuse the whole insert (<see cref="JobValidationException"/>): nothing is written.
    /// </summary>
    Task<WorkflowInsertResult> WorkflowInsertAsync(WorkflowInsertParams workflow, DbTransaction? transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Completes a job if this token still holds it and, in the same transaction, inserts the jobs its handler enqueued
    /// (<see cref="WorkflowInsertAsync"/>). Null means the lease was lost: nothing was written, neither outcome nor children.
    /// </summary>
    Task<WorkflowInsertResult?> JobCompleteWithChildrenAsync(JobCompleteParams complete, WorkflowInsertParams children, CancellationToken cancellationToken);

    /// <summary>Reads one batch with its callbacks, or null.</summary>
    Task<BatchRow?> BatchGetAsync(long id, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a batch in one transaction: its waiting callbacks are cancelled, its pending and waiting members cancelled, its
    /// running members asked to stop. <see cref="JobCancelResult.AlreadyFinished"/> for a batch that had finished or was
    /// cancelled already.
    /// </summary>
    Task<JobCancelResult> BatchCancelAsync(long id, CancellationToken cancellationToken);

    /// <summary>A page of a batch's jobs (members and callbacks), by id after <paramref name="afterId"/>.</summary>
    Task<IReadOnlyList<JobRow>> BatchJobListAsync(long batchId, long? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Batches, newest first (keyset on id: those before <paramref name="beforeId"/>, or the newest), each with its callbacks'
    /// job ids (through the batch jobs' index by batch and role).
    /// </summary>
    Task<IReadOnlyList<BatchRow>> BatchListAsync(long? beforeId, int limit, CancellationToken cancellationToken);

    /// <summary>The batch a job belongs to and its role in it (a primary-key read of the batch jobs), or null: in no batch.</summary>
    Task<(long BatchId, JobBatchRole Role)?> BatchJobGetAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>A page of the jobs <paramref name="jobId"/> depends on (its parents), by id after <paramref name="afterId"/>: read through the dependencies' index by child.</summary>
    Task<IReadOnlyList<JobRow>> JobParentListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>A page of the jobs that depend on <paramref name="jobId"/> (its dependants), by id after <paramref name="afterId"/>: read through the dependencies' primary key.</summary>
    Task<IReadOnlyList<JobRow>> JobDependantListAsync(long jobId, long? afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Inserts a schedule. False when its name is taken (nothing written).</summary>
    Task<bool> ScheduleInsertAsync(ScheduleRow schedule, CancellationToken cancellationToken);

    /// <summary>Replaces a schedule's definition, enabled flag and next run (not its last job nor created time). False: no such schedule.</summary>
    Task<bool> ScheduleUpdateAsync(ScheduleRow schedule, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts a schedule, or brings an existing one of that name up to date (a declaration in code or configuration, at
    /// start). Its stored next run is kept when the cron expression, the time zone and the enabled flag are unchanged and it
    /// was enabled, so a restart never re-enqueues or drops a tick; otherwise it becomes <see cref="ScheduleRow.NextRunAt"/>.
    /// </summary>
    Task ScheduleUpsertAsync(ScheduleRow schedule, CancellationToken cancellationToken);

    /// <summary>Reads one schedule with its last job's status, or null.</summary>
    Task<ScheduleRow?> ScheduleGetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every schedule, by name, with its last job's status.</summary>
    Task<IReadOnlyList<ScheduleRow>> ScheduleListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a schedule (its jobs stay). False: no such schedule.</summary>
    Task<bool> ScheduleDeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> enabled schedules whose next run is at or before <paramref name="now"/>, soonest first,
    /// with their last job's status (through the index on next_run_at).
    /// </summary>
    Task<IReadOnlyList<ScheduleRow>> ScheduleDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Moves each enabled schedule's next run from its <see cref="ScheduleAdvanceParams.Expected"/> to its
    /// <see cref="ScheduleAdvanceParams.Next"/>, only where it is still the expected one (compare-and-set, one statement, in
    /// <paramref name="transaction"/>). Returns the names that moved: a name missing from the answer was moved first by
    /// another evaluator (or disabled, changed or deleted), and the caller must enqueue nothing for it.
    /// </summary>
    Task<IReadOnlySet<string>> ScheduleAdvanceManyAsync(IReadOnlyList<ScheduleAdvanceParams> advances, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Records the job of a schedule's latest tick or trigger, in <paramref name="transaction"/>.</summary>
    Task ScheduleSetLastJobAsync(string name, long jobId, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the stored limits exactly <paramref name="limits"/> (one transaction): rows not among them are deleted, the others
    /// inserted or replaced, their rate windows kept. <paramref name="node"/> is recorded as the writer.
    /// </summary>
    Task LimitSetAsync(IReadOnlyList<JobLimit> limits, string node, CancellationToken cancellationToken);

    /// <summary>Every stored limit, types before queues, by name, with its usage now.</summary>
    Task<IReadOnlyList<JobLimitUsage>> LimitListAsync(CancellationToken cancellationToken);
    /// <summary>Records the jobs of many schedules' latest ticks in one statement, in <paramref name="transaction"/>.</summary>
    Task ScheduleSetLastJobManyAsync(IReadOnlyList<ScheduleLastJobParams> lastJobs, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Pauses a queue or a job type: inserts its row, or keeps the one already there. Returns the pause as stored.</summary>
    Task<JobPause> PauseInsertAsync(JobPauseScope scope, string name, CancellationToken cancellationToken);

    /// <summary>Removes a pause (PostgreSQL: and wakes every node's idle workers). False: there was none.</summary>
    Task<bool> PauseDeleteAsync(JobPauseScope scope, string name, CancellationToken cancellationToken);

    /// <summary>Every pause, queues first, then types, each by name (ordinal).</summary>
    Task<IReadOnlyList<JobPause>> PauseListAsync(CancellationToken cancellationToken);

    /// <summary>Registers a node or refreshes its heartbeat (upsert by name).</summary>
    Task NodeHeartbeatAsync(NodeHeartbeatParams node, CancellationToken cancellationToken);

    /// <summary>Removes a node (it stopped).</summary>
    Task NodeDeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes nodes whose last heartbeat is older than <paramref name="olderThan"/>. Returns how many.</summary>
    Task<int> NodeDeleteStaleAsync(TimeSpan olderThan, CancellationToken cancellationToken);

    /// <summary>Every registered node, by name, with whether it holds the maintenance lease now.</summary>
    Task<IReadOnlyList<NodeRow>> NodeListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes or extends the maintenance leader's lease for <paramref name="ttl"/>: succeeds when the lease is free, expired,
    /// or already <paramref name="holder"/>'s (one statement, so two nodes can never both win). True: the holder leads.
    /// </summary>
    Task<bool> LeaderElectAsync(string holder, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Gives up the lease if <paramref name="holder"/> holds it, so another node can take over at once.</summary>
    Task LeaderResignAsync(string holder, CancellationToken cancellationToken);

    /// <summary>The database's current time (the clock leases are compared with).</summary>
    Task<DateTimeOffset> NowAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The bytes free for the database to grow into, where the store can see them (SQLite: the volume that holds the file),
    /// or null where it cannot (PostgreSQL: the server's disk is not visible to a client; an in-memory database). Not a
    /// statement: readiness checks read it to report a full disk before a write fails (<see cref="JobStoreFullException"/>).
    /// </summary>
    Task<long?> StorageAvailableBytesAsync(CancellationToken cancellationToken);
}
