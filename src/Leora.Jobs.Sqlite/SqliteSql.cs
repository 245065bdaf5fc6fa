using System.Globalization;
namespace Leora.Jobs.Sqlite;

/// <summary>
/// The SQL of the SQLite store, one constant per statement, named as in <c>PostgreSqlSql</c>.
/// Times are Unix milliseconds passed as <c>@now</c>: one machine, one clock.
/// </summary>
internal static partial class SqliteSql
{
    public const string Columns =
        "id, kind, queue, status, priority, payload, attempts, max_attempts, idempotency_key, lock_token, locked_until, " +
        "locked_by, progress, progress_message, result, errors, cancel_requested, created_at, run_at, started_at, completed_at, concurrency_key, " +
        "trace_parent, trace_state";

    public const string MigrationsTable =
        "CREATE TABLE IF NOT EXISTS leora_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)";

    public const string MigrationsTableExists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'leora_migrations'";

    public const string MigrationVersion = "SELECT coalesce(max(version), 0) FROM leora_migrations";

    public const string MigrationRecord = "INSERT INTO leora_migrations (version, applied_at) VALUES (@version, @now)";

    // ON CONFLICT … DO NOTHING with the partial index's predicate: a taken idempotency key inserts nothing (0 changes).
    // No RETURNING: SQLite collects RETURNING rows in an ephemeral table (a temp file by default) per execution, which
    // cost ~40 µs a row; the new id is read with sqlite3_last_insert_rowid instead. Parameters are bound by position
    // (see SqliteJobStore.Enqueue.cs); run_at is computed by the caller from RunAt or now + delay.
    public const string JobInsert = """
        INSERT INTO leora_jobs (kind, queue, status, priority, payload, max_attempts, idempotency_key, created_at, run_at, concurrency_key, limited,
                                trace_parent, trace_state)
        VALUES (@kind, @queue, 'pending', @priority, @payload, @max_attempts, @idempotency_key, @now, @run_at, @concurrency_key,
                @concurrency_key IS NOT NULL OR EXISTS (SELECT 1 FROM leora_limits l WHERE (l.scope = 'type' AND l.name = @kind) OR (l.scope = 'queue' AND l.name = @queue)),
                @trace_parent, @trace_state)
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        """;

    // Bulk insert of rows without idempotency keys (nothing to conflict on): positional parameters ?1…, nine per row
    // (kind, queue, priority, payload, max_attempts, created_at, run_at, trace_parent, trace_state). Ids come from the
    // sequence, see JobIdSequence.
    public static string JobInsertMany(int rows)
    {
        var sql = new System.Text.StringBuilder(
            "INSERT INTO leora_jobs (kind, queue, status, priority, payload, max_attempts, idempotency_key, created_at, run_at, limited, " +
            "trace_parent, trace_state) VALUES ");
        for (var r = 0; r < rows; r++)
        {
            var p = r * 9;
            sql.Append(r == 0 ? "" : ", ").Append(System.Globalization.CultureInfo.InvariantCulture,
                $"(?{p + 1}, ?{p + 2}, 'pending', ?{p + 3}, ?{p + 4}, ?{p + 5}, NULL, ?{p + 6}, ?{p + 7}, " +
                $"EXISTS (SELECT 1 FROM leora_limits l WHERE (l.scope = 'type' AND l.name = ?{p + 1}) OR (l.scope = 'queue' AND l.name = ?{p + 2})), ?{p + 8}, ?{p + 9})");
        }
        return sql.ToString();
    }

    // The largest id leora_jobs has ever had (AUTOINCREMENT keeps it in sqlite_sequence; no row before the first insert).
    public const string JobIdSequence = "SELECT seq FROM sqlite_sequence WHERE name = 'leora_jobs'";

    public const string JobIdByIdempotencyKey = "SELECT id FROM leora_jobs WHERE idempotency_key = @idempotency_key";

    public const string JobGetByIdempotencyKey = "SELECT " + Columns + " FROM leora_jobs WHERE idempotency_key = @idempotency_key";

    // SQLite has one writer at a time, so the claim needs no row lock; it runs in BEGIN IMMEDIATE so that the
    // read of the candidates and their update are one write transaction (no lock upgrade, no SQLITE_BUSY_SNAPSHOT).
    // randomblob() is evaluated per row: every claimed job gets its own token.
    public const string JobClaim = """
        UPDATE leora_jobs
        SET status = 'processing', attempts = attempts + 1, lock_token = lower(hex(randomblob(16))),
            locked_until = @now + @lease_ms, locked_by = @worker, started_at = @now,
            progress = NULL, progress_message = NULL, cancel_requested = 0
        WHERE id IN (
            SELECT id FROM leora_jobs INDEXED BY {1}
            WHERE status = 'pending' AND run_at <= @now {0} {2} {3}
              {4}
            ORDER BY priority DESC, run_at, id
            LIMIT @limit)
        RETURNING
        """ + " " + Columns;

    public const string JobClaimQueueFilter = "AND queue = @queue";

    // Paused queues and types (issue 12) are read by the claim itself, so a pause or resume holds from the next claim of
    // every process, with nothing to reload; each list is built once per statement from the (tiny) pauses table, and the
    // rows the pending index yields are checked against it, in order (SqliteClaimPlanTests).
    public const string JobClaimPausedFilter =
        "AND queue NOT IN (SELECT name FROM leora_pauses WHERE scope = 'queue') AND kind NOT IN (SELECT name FROM leora_pauses WHERE scope = 'type')";

    // Only the types the claiming process has handlers for (issue 20): a JSON array of names, bound once per list.
    // A filter on the rows the pending index yields, so the claim still reads that index in order (SqliteClaimPlanTests).
    public const string JobClaimKindsFilter = "AND kind IN (SELECT value FROM json_each(@kinds))";

    private static readonly string[] JobClaims =
    [
        .. from byQueue in (bool[])[false, true]
           from byKinds in (bool[])[false, true]
           select string.Format(CultureInfo.InvariantCulture, JobClaim, byQueue ? JobClaimQueueFilter : "",
               byQueue ? JobClaimQueueIndex : JobClaimIndex, byKinds ? JobClaimKindsFilter : "", JobClaimPausedFilter, JobClaimUnlimited),
    ];

    // Limits (issue 12): this claim leaves every limited job to the limited claim (SqliteSql.Limits.cs): rows flagged limited
    // (which its partial indexes leave out, so it never scans past them), and, for a row flagged before a limit was written,
    // keyed jobs and the jobs of a type or queue that has a limit row. Each list is read once per statement (a table of a few rows); both are
    // filters on the rows the pending index yields, so the claim still reads it in order (SqliteClaimPlanTests).
    public const string JobClaimUnlimited =
        "AND limited = 0 AND concurrency_key IS NULL AND kind NOT IN (SELECT name FROM leora_limits WHERE scope = 'type') " +
        "AND queue NOT IN (SELECT name FROM leora_limits WHERE scope = 'queue')";

    /// <summary>The claim statement, built once per shape: of one queue or all, of some types or any.</summary>
    public static string JobClaimFor(bool byQueue, bool byKinds) => JobClaims[(byQueue ? 2 : 0) + (byKinds ? 1 : 0)];

    // The claim names its partial index: without ANALYZE statistics SQLite's planner took the (status, id) index and
    // sorted every pending row for each claim (EXPLAIN QUERY PLAN: USE TEMP B-TREE FOR ORDER BY), so a drain slowed as
    // the backlog grew (13,500 jobs/s with 100,000 pending, 3,800 with 1,000,000). DESIGN.md invariant 8.
    public const string JobClaimIndex = "leora_jobs_pending";

    public const string JobClaimQueueIndex = "leora_jobs_pending_queue";

    public const string JobComplete = """
        UPDATE leora_jobs
        SET status = 'completed', result = coalesce(@result, result), completed_at = @now, progress = 100, progress_message = NULL,
            lock_token = NULL, locked_until = NULL, cancel_requested = 0
        WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
        """;

    // The history's count of @count jobs completed at @now (migration 13): one upsert per completion statement's batch, not
    // a trigger's per job. A write for an older minute than the slot holds (a week behind) is dropped, as migration 10's.
    public const string HistoryCompleted = """
        INSERT INTO leora_job_history (slot, minute, completed, failed)
        VALUES ((@now / 60000) % 10200, @now / 60000, @count, 0)
        ON CONFLICT (slot) DO UPDATE SET
            completed = CASE WHEN minute = excluded.minute THEN completed + excluded.completed ELSE excluded.completed END,
            failed    = CASE WHEN minute = excluded.minute THEN failed ELSE 0 END,
            minute    = excluded.minute
        WHERE excluded.minute >= minute
        """;

    // A job that ends cancelled keeps cancel_requested set (the API's cancelRequested says a cancel was asked for and
    // ended it); any other outcome clears it. A completed job's progress is 100 and its progress message is cleared.
    public const string JobFail = """
        UPDATE leora_jobs
        SET status = CASE WHEN @retry_ms IS NULL THEN @final_status ELSE 'pending' END,
            run_at = CASE WHEN @retry_ms IS NULL THEN run_at ELSE @now + @retry_ms END,
            completed_at = CASE WHEN @retry_ms IS NULL THEN @now ELSE NULL END,
            errors = json_insert(errors, '$[#]', json(@error)),
            lock_token = NULL, locked_until = NULL,
            cancel_requested = CASE WHEN @retry_ms IS NULL AND @final_status = 'cancelled' THEN 1 ELSE 0 END
        WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
        """;

    // Graceful shutdown: the attempt did not really happen, so it is not counted.
    public const string JobRelease = """
        UPDATE leora_jobs
        SET status = 'pending', attempts = max(attempts - 1, 0), lock_token = NULL, locked_until = NULL, cancel_requested = 0
        WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
        """;

    public const string JobHeartbeat = """
        UPDATE leora_jobs SET locked_until = @now + @lease_ms
        WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
        RETURNING cancel_requested
        """;

    public const string JobProgress = """
        UPDATE leora_jobs SET progress = @progress, progress_message = @message
        WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
        """;

    // A rescued job whose cancellation was asked for ends cancelled; one with no attempt left ends failed.
    public const string JobRescue = """
        UPDATE leora_jobs
        SET status = CASE WHEN cancel_requested = 1 THEN 'cancelled' WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END,
            completed_at = CASE WHEN cancel_requested = 1 OR attempts >= max_attempts THEN @now ELSE NULL END,
            errors = json_insert(errors, '$[#]', json_object('attempt', attempts, 'message', @message, 'type', 'LeaseExpired',
                                                             'stackTrace', NULL, 'at', @now_iso, 'worker', locked_by)),
            lock_token = NULL, locked_until = NULL, run_at = @now
        WHERE id IN (SELECT id FROM leora_jobs WHERE status = 'processing' AND locked_until < @now LIMIT @limit)
        """;

    public const string JobGet = "SELECT " + Columns + " FROM leora_jobs WHERE id = @id";

    public const string JobList = "SELECT " + Columns + " FROM leora_jobs WHERE 1 = 1 {0} ORDER BY id {1} LIMIT @limit";

    // Bounded: counting stops at @limit rows, so a total over a large table costs no more than reading that many index entries.
    public const string JobCount = "SELECT count(*) FROM (SELECT 1 FROM leora_jobs WHERE 1 = 1 {0} LIMIT @limit)";

    // Only a job that is waiting (scheduled, or between attempts) is moved; its attempts, errors and everything else stay.
    // Its timeline records the move, in the same transaction (JobRunNowEvent, written when a row came back).
    public const string JobRunNow = "UPDATE leora_jobs SET run_at = @now WHERE id = @id AND status = 'pending' AND run_at > @now RETURNING attempts";

    public const string JobRunNowEvent = """
        INSERT INTO leora_job_events (job_id, seq, at, kind, status, attempt)
        VALUES (@id, coalesce((SELECT max(seq) FROM leora_job_events WHERE job_id = @id), 0) + 1, @now, 'run_now', 'pending', @attempt)
        """;

    // Unfinished jobs and those finished in the last hour, per queue or type ({0}): two index ranges (by status, and by
    // status and completed_at), never the finished history.
    public const string JobCountByGroup = """
        SELECT g,
               coalesce(sum(status = 'pending' AND run_at <= @now), 0),
               coalesce(sum(status = 'pending' AND run_at > @now AND attempts = 0), 0),
               coalesce(sum(status = 'pending' AND run_at > @now AND attempts > 0), 0),
               coalesce(sum(status = 'processing'), 0),
               coalesce(sum(status = 'completed'), 0),
               coalesce(sum(status = 'failed'), 0),
               min(CASE WHEN status = 'pending' AND run_at <= @now THEN run_at END)
        FROM (SELECT {0} AS g, status, run_at, attempts FROM leora_jobs WHERE status IN ('pending', 'processing')
              UNION ALL
              SELECT {0} AS g, status, run_at, attempts FROM leora_jobs WHERE status IN ('completed', 'failed') AND completed_at >= @since)
        GROUP BY g ORDER BY g
        """;

    public const string JobCountByStatus = "SELECT status, count(*) FROM leora_jobs GROUP BY status";

    public const string JobCountUnfinishedByKind =
        "SELECT kind, status, count(*) FROM leora_jobs WHERE status IN ('pending', 'processing') GROUP BY kind, status";

    public const string JobCountUnfinishedByQueue =
        "SELECT queue, status, count(*) FROM leora_jobs WHERE status IN ('pending', 'processing') GROUP BY queue, status";

    public const string JobPendingSplit = """
        SELECT coalesce(sum(run_at <= @now), 0), coalesce(sum(run_at > @now), 0), min(CASE WHEN run_at <= @now THEN run_at END)
        FROM leora_jobs WHERE status = 'pending'
        """;

    public const string JobThroughput = """
        SELECT completed_at / 60000 AS minute, sum(status = 'completed'), sum(status = 'failed')
        FROM leora_jobs
        WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at >= @since
        GROUP BY minute
        """;

    // A waiting job (workflows) is cancelled as a pending one is; the workflow trigger tells its dependants and batch.
    public const string JobCancel = """
        UPDATE leora_jobs
        SET status = CASE WHEN status IN ('pending', 'waiting') THEN 'cancelled' ELSE status END,
            completed_at = CASE WHEN status IN ('pending', 'waiting') THEN @now ELSE completed_at END,
            cancel_requested = 1
        WHERE id = @id AND status IN ('pending', 'processing', 'waiting')
        RETURNING status
        """;

    public const string JobStatus = "SELECT status FROM leora_jobs WHERE id = @id";

    // A manual retry keeps the attempt count (error history stays numbered) and grants @attempts more (the job type's
    // max attempts), never more than @max_attempts in all: a job that has used them all is not retried.
    public const string JobRetry = """
        UPDATE leora_jobs
        SET status = 'pending', max_attempts = min(attempts + @attempts, @max_attempts), run_at = @now, completed_at = NULL, cancel_requested = 0,
            lock_token = NULL, locked_until = NULL, progress = NULL, progress_message = NULL,
            limited = concurrency_key IS NOT NULL OR EXISTS (SELECT 1 FROM leora_limits l
                WHERE (l.scope = 'type' AND l.name = leora_jobs.kind) OR (l.scope = 'queue' AND l.name = leora_jobs.queue))
        WHERE id = @id AND status IN ('failed', 'cancelled') AND attempts < @max_attempts
        """;

    // An unfinished workflow job is not deleted (Conflict: cancel it first): its dependants and batch wait for its outcome.
    public const string JobDelete =
        "DELETE FROM leora_jobs WHERE id = @id AND status <> 'processing' AND NOT (workflow = 1 AND status IN ('pending', 'waiting'))";

    public const string JobDeleteFinished = """
        DELETE FROM leora_jobs WHERE id IN (
            SELECT id FROM leora_jobs
            WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at < @cutoff
            LIMIT @limit)
        """;

    public const string NodeHeartbeat = """
        INSERT INTO leora_nodes (name, started_at, heartbeat_at, queues, concurrency, running, kinds)
        VALUES (@name, @now, @now, @queues, @concurrency, @running, @kinds)
        ON CONFLICT (name) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, queues = excluded.queues,
            concurrency = excluded.concurrency, running = excluded.running, kinds = excluded.kinds
        """;

    public const string NodeDelete = "DELETE FROM leora_nodes WHERE name = @name";

    public const string NodeDeleteStale = "DELETE FROM leora_nodes WHERE heartbeat_at < @now - @older_ms";

    public const string NodeList = """
        SELECT n.name, n.started_at, n.heartbeat_at, n.queues, n.concurrency, n.running,
               EXISTS (SELECT 1 FROM leora_leader l WHERE l.name = 'maintenance' AND l.holder = n.name AND l.expires_at > @now),
               n.kinds
        FROM leora_nodes n ORDER BY n.name
        """;

    public const string LeaderElect = """
        INSERT INTO leora_leader AS l (name, holder, elected_at, expires_at)
        VALUES ('maintenance', @holder, @now, @now + @ttl_ms)
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
            elected_at = CASE WHEN l.holder = excluded.holder THEN l.elected_at ELSE excluded.elected_at END
        WHERE l.holder = excluded.holder OR l.expires_at < @now
        RETURNING holder
        """;

    public const string LeaderResign = "DELETE FROM leora_leader WHERE name = 'maintenance' AND holder = @holder";
}
