using System.Data.Common;
using System.Text.Json;
using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// Enqueues, reads and steers jobs: what every consumer uses (the HTTP API, the dashboard, the CLI, the CRM, an
/// application). Every enqueue has an overload that joins the caller's open <see cref="DbTransaction"/>, so a domain
/// row and its job commit or roll back together.
/// </summary>
public interface IJobClient
{
    /// <summary>The database behind this client: <c>sqlite</c> or <c>postgresql</c>.</summary>
    string Provider { get; }

    /// <summary>
    /// Opens a connection to the jobs database for your own rows and transactions: a transaction begun on it can be passed
    /// to the enqueue overloads that take one, so a domain row and its job commit or roll back together. It is set up as the
    /// store sets up its own (SQLite: busy timeout, synchronous level, foreign keys; PostgreSQL: the store's data source).
    /// You own and dispose it. Leave no session state behind on it: pooled connections are not reset on reuse (on PostgreSQL
    /// use <c>SET LOCAL</c> in a transaction, not <c>SET</c>).
    /// </summary>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>Enqueues one typed job.</summary>
    Task<EnqueueResult> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs;

    /// <summary>
    /// Enqueues one typed job inside the caller's transaction, which must be on the jobs database: one on another
    /// database throws <see cref="ArgumentException"/> and writes nothing.
    /// </summary>
    Task<EnqueueResult> EnqueueAsync<TArgs>(TArgs args, DbTransaction transaction, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs;

    /// <summary>Enqueues a job by type name and JSON payload (HTTP, CLI). Throws <see cref="UnknownJobTypeException"/> or <see cref="JobValidationException"/>.</summary>
    Task<EnqueueResult> EnqueueAsync(string type, JsonElement payload, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Enqueues a job by type name and JSON payload inside the caller's transaction.</summary>
    Task<EnqueueResult> EnqueueAsync(string type, JsonElement payload, DbTransaction transaction, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Enqueues many typed jobs in one round trip, with the same options. Returns results in order.</summary>
    Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync<TArgs>(IEnumerable<TArgs> args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs;

    /// <summary>Enqueues many typed jobs in one round trip inside the caller's transaction.</summary>
    Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync<TArgs>(IEnumerable<TArgs> args, DbTransaction transaction, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : IJobArgs;

    /// <summary>
    /// Enqueues jobs of any types, each with its own payload and options (its own idempotency key included), in one round
    /// trip. Validated all or nothing: when any job is invalid, throws <see cref="JobBulkValidationException"/> naming every
    /// invalid one and enqueues none. Returns results in order; a taken idempotency key returns the existing job
    /// (<see cref="EnqueueResult.Existing"/>), also when two jobs of one call share a key.
    /// </summary>
    Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<JobRequest> jobs, CancellationToken cancellationToken = default);

    /// <summary>Enqueues jobs of any types in one round trip inside the caller's transaction; see the overload without one.</summary>
    Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<JobRequest> jobs, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Reads one job, or null.</summary>
    Task<JobInfo?> GetAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Lists jobs, filtered, one page at a time.</summary>
    Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts the jobs <see cref="ListAsync"/> would page through for <paramref name="query"/> (its cursor and limit
    /// ignored), stopping at <paramref name="max"/>: an answer of <paramref name="max"/> means "at least that many".
    /// </summary>
    Task<long> CountAsync(JobQuery query, int max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes a pending job that is waiting (scheduled for later, or between attempts) due now, so the next claim can take
    /// it. Conflict for a job that is already due, running or finished.
    /// </summary>
    Task<JobActionResult> RunNowAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Per queue, or per job type with <paramref name="byType"/>: unfinished jobs by state, jobs finished in the last hour
    /// and the oldest due job's age (the Queues and Job types pages of the dashboard).
    /// </summary>
    Task<IReadOnlyList<JobGroupCounts>> CountByGroupAsync(bool byType, CancellationToken cancellationToken = default);

    /// <summary>Counts jobs by status (every status present, zero included).</summary>
    Task<IReadOnlyDictionary<JobStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The worker nodes registered in the nodes table, by name, each marked <see cref="JobNode.Silent"/> when it has missed
    /// three heartbeats by this process's clock (its <see cref="TimeProvider"/>). <see cref="StatsAsync"/> judges by the
    /// time the store read its counts instead (the database's clock on PostgreSQL).
    /// </summary>
    Task<IReadOnlyList<JobNode>> NodesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks the database which migration it is at. A round trip, so it is also the readiness check that the database
    /// answers: it throws when the database cannot be reached.
    /// </summary>
    Task<JobSchemaVersion> SchemaVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts for monitoring, and the worker nodes registered in the nodes table (<see cref="JobStats.Nodes"/>, silent ones marked).</summary>
    Task<JobStats> StatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Completed and failed per minute over the last <paramref name="window"/>.</summary>
    Task<IReadOnlyList<JobThroughputPoint>> ThroughputAsync(TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>
    /// A job's timeline, oldest first: its enqueue, then each event the store recorded (claims with their worker and attempt,
    /// failures with their error, rescues, releases, cancels, retries, the outcome). Null when there is no such job.
    /// </summary>
    Task<IReadOnlyList<JobEvent>?> TimelineAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Completed and failed-for-good jobs per minute over the last hour, or per hour over the last day or week, from the store's history table.</summary>
    Task<JobHistory> HistoryAsync(JobHistoryRange range, CancellationToken cancellationToken = default);

    /// <summary>Cancels a pending job (it never runs) or a running one (its handler's token fires; it ends cancelled).</summary>
    Task<JobCancelResult> CancelAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a failed or cancelled job back to pending, due now, with its type's max attempts afresh (its attempt count
    /// and error history are kept), never more than 1000 attempts in all. Conflict for other statuses, and for a job
    /// that has used 1000 attempts.
    /// </summary>
    Task<JobActionResult> RetryAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Deletes a job that is not running. Conflict for a running job.</summary>
    Task<JobActionResult> DeleteAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>Deletes finished jobs (completed, failed, cancelled) that finished more than <paramref name="olderThan"/> ago, in bounded batches. Returns how many.</summary>
    Task<long> CleanupAsync(TimeSpan olderThan, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes finished jobs as <see cref="CleanupAsync(TimeSpan, CancellationToken)"/> does, and reports the running
    /// total to <paramref name="progress"/> after each batch (synchronously, on the deleting flow). Returns how many.
    /// </summary>
    Task<long> CleanupAsync(TimeSpan olderThan, IProgress<long>? progress, CancellationToken cancellationToken = default);
}
