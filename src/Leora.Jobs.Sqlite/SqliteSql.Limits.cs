namespace Leora.Jobs.Sqlite;

// Rate and concurrency limits (issue 12, docs/limits.md). The claim (JobClaim) skips every limited job; these statements
// claim them, in the claim's own BEGIN IMMEDIATE transaction: SQLite's one writer already serialises every claim of every
// process on the file, so each one reads the running counts and rate windows the one before it committed. It also
// serialises an enqueue with the writing of limits, so a row's limited flag always matches the limits (a lane of a limited
// type or queue reads only flagged rows, through an index that has no others).
internal static partial class SqliteSql
{
    public const string LimitClaimState = """
        SELECT l.scope, l.name, l.rate, l.rate_period_ms, l.concurrency, l.key_concurrency, l.window_start, l.window_count,
               (SELECT count(*) FROM leora_jobs j INDEXED BY leora_jobs_lease
                WHERE j.status = 'processing' AND (CASE WHEN l.scope = 'type' THEN j.kind ELSE j.queue END) = l.name)
        FROM leora_limits l
        """;

    public const string LimitKeysRunning = """
        SELECT kind, concurrency_key, count(*) FROM leora_jobs INDEXED BY leora_jobs_lease
        WHERE status = 'processing' AND concurrency_key IS NOT NULL
        GROUP BY kind, concurrency_key
        """;

    // One lane of the limited claim (LimitedClaimPlan): a limited type or the unlimited ones ({kind}), a limited queue or the
    // unlimited ones ({queue}), the claimer's own queue and types ({only}). Keys at their limit are skipped by the scan, so a
    // blocked key never hides the jobs behind it; of the candidates, one job per key (the first in claim order) is taken.
    public const string LimitClaimLane = """
        UPDATE leora_jobs
        SET status = 'processing', attempts = attempts + 1, lock_token = lower(hex(randomblob(16))),
            locked_until = @now + @lease_ms, locked_by = @worker, started_at = @now,
            progress = NULL, progress_message = NULL, cancel_requested = 0
        WHERE id IN (
            SELECT id FROM (
                SELECT id, priority, run_at, concurrency_key,
                       row_number() OVER (PARTITION BY kind, concurrency_key ORDER BY priority DESC, run_at, id) AS rn
                FROM (
                    SELECT id, kind, concurrency_key, priority, run_at FROM leora_jobs INDEXED BY {index}
                    WHERE status = 'pending' AND run_at <= @now {kind} {queue} {only} {paused}
                      AND (concurrency_key IS NULL OR kind || char(31) || concurrency_key NOT IN (SELECT value FROM json_each(@full_keys)))
                    ORDER BY priority DESC, run_at, id
                    LIMIT @scan))
            WHERE concurrency_key IS NULL OR rn = 1
            ORDER BY priority DESC, run_at, id
            LIMIT @limit)
        RETURNING
        """ + " " + Columns;

    private static readonly Dictionary<(bool, bool, bool, bool), string> LimitLanes = [];

    /// <summary>A lane's statement, built once per shape: of one type or the unlimited ones, one queue or the unlimited ones, and the claimer's filters.</summary>
    public static string LimitClaimLaneFor(bool oneKind, bool oneQueue, bool byQueue, bool byKinds)
    {
        lock (LimitLanes)
        {
            if (LimitLanes.TryGetValue((oneKind, oneQueue, byQueue, byKinds), out var sql)) return sql;
            var only = (byQueue ? JobClaimQueueFilter + " " : "") + (byKinds ? JobClaimKindsFilter : "");
            sql = LimitClaimLane
                .Replace("{index}", oneKind ? "leora_jobs_pending_limited_kind" : oneQueue ? "leora_jobs_pending_limited_queue" : "leora_jobs_pending_keyed", StringComparison.Ordinal)
                .Replace("{kind}", oneKind ? "AND kind = @lane_kind" : "AND kind NOT IN (SELECT value FROM json_each(@limited_kinds))", StringComparison.Ordinal)
                .Replace("{queue}", oneQueue ? "AND queue = @lane_queue" : "AND queue NOT IN (SELECT value FROM json_each(@limited_queues))", StringComparison.Ordinal)
                .Replace("{only}", (oneKind || oneQueue ? "AND limited = 1 " : "AND concurrency_key IS NOT NULL ") + only, StringComparison.Ordinal)
                .Replace("{paused}", JobClaimPausedFilter, StringComparison.Ordinal);
            return LimitLanes[(oneKind, oneQueue, byQueue, byKinds)] = sql;
        }
    }

    // After the limits change: every unfinished job's flag as the new limits make it (a retried job is flagged by the retry).
    public const string LimitFlagJobs = """
        UPDATE leora_jobs
        SET limited = (concurrency_key IS NOT NULL OR EXISTS (SELECT 1 FROM leora_limits l
            WHERE (l.scope = 'type' AND l.name = leora_jobs.kind) OR (l.scope = 'queue' AND l.name = leora_jobs.queue)))
        WHERE status IN ('pending', 'processing')
          AND limited IS NOT (concurrency_key IS NOT NULL OR EXISTS (SELECT 1 FROM leora_limits l
            WHERE (l.scope = 'type' AND l.name = leora_jobs.kind) OR (l.scope = 'queue' AND l.name = leora_jobs.queue)))
        """;

    public const string LimitWindowUpdate =
        "UPDATE leora_limits SET window_start = @window_start, window_count = @window_count WHERE scope = @scope AND name = @name";

    public const string LimitDeleteOthers = """
        DELETE FROM leora_limits
        WHERE (scope || char(31) || name) NOT IN (SELECT value FROM json_each(@ids))
        """;

    // A limit's rate window is kept while its period is unchanged: a restart does not grant a fresh window.
    public const string LimitUpsert = """
        INSERT INTO leora_limits (scope, name, rate, rate_period_ms, concurrency, key_concurrency, updated_at, updated_by)
        VALUES (@scope, @name, @rate, @rate_period_ms, @concurrency, @key_concurrency, @now, @node)
        ON CONFLICT (scope, name) DO UPDATE SET rate = excluded.rate, rate_period_ms = excluded.rate_period_ms,
            concurrency = excluded.concurrency, key_concurrency = excluded.key_concurrency,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by,
            window_start = CASE WHEN leora_limits.rate_period_ms IS excluded.rate_period_ms THEN leora_limits.window_start END,
            window_count = CASE WHEN leora_limits.rate_period_ms IS excluded.rate_period_ms THEN leora_limits.window_count ELSE 0 END
        """;

    public const string LimitList = """
        SELECT l.scope, l.name, l.rate, l.rate_period_ms, l.concurrency, l.key_concurrency, l.window_start, l.window_count,
               (SELECT count(*) FROM leora_jobs j INDEXED BY leora_jobs_lease
                WHERE j.status = 'processing' AND (CASE WHEN l.scope = 'type' THEN j.kind ELSE j.queue END) = l.name),
               CASE WHEN l.scope = 'type' THEN (SELECT count(DISTINCT j.concurrency_key) FROM leora_jobs j INDEXED BY leora_jobs_lease
                    WHERE j.status = 'processing' AND j.kind = l.name AND j.concurrency_key IS NOT NULL) ELSE 0 END,
               l.updated_at, l.updated_by
        FROM leora_limits l
        ORDER BY l.scope DESC, l.name
        """;
}
