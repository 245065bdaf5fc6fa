namespace Leora.Jobs.PostgreSql;

// Rate and concurrency limits (issue 12, docs/limits.md). The fast claim (JobClaim) skips every limited job; these
// statements claim them, in one transaction per claim that first takes the limits' advisory lock, so that claims of limited
// jobs never run side by side on any node: each one reads the running counts and rate windows that the one before it
// committed. A try-lock: a claimer that finds it taken claims no limited job this time rather than wait (another process
// is claiming them right now).
internal static partial class PostgreSqlSql
{
    public const string LimitClaimLock = "SELECT pg_try_advisory_xact_lock(hashtext('leora-jobs-limits:' || @schema))";

    // Read after the lock, in a statement of its own: READ COMMITTED gives each statement a fresh snapshot, so this one sees
    // what the previous holder committed. Running jobs are counted through the partial lease index (processing rows only).
    public const string LimitClaimState = """
        SELECT l.scope, l.name, l.rate, l.rate_period_ms, l.concurrency, l.key_concurrency,
               (extract(epoch FROM l.window_start) * 1000)::bigint, l.window_count,
               (SELECT count(*) FROM {s}.jobs j
                WHERE j.status = 'processing' AND (CASE WHEN l.scope = 'type' THEN j.kind ELSE j.queue END) = l.name)::integer,
               (extract(epoch FROM coalesce(@now, now())) * 1000)::bigint
        FROM {s}.limits l
        UNION ALL
        SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, (extract(epoch FROM coalesce(@now, now())) * 1000)::bigint
        """;

    public const string LimitKeysRunning = """
        SELECT kind, concurrency_key, count(*)::integer FROM {s}.jobs
        WHERE status = 'processing' AND concurrency_key IS NOT NULL
        GROUP BY kind, concurrency_key
        """;

    // One lane of the limited claim (LimitedClaimPlan): a limited type or the unlimited ones ({kind}), a limited queue or the
    // unlimited ones ({queue}), the claimer's own queue and types ({only}). Keys at their limit are skipped by the scan, so a
    // blocked key never hides the jobs behind it; of the candidates, one job per key (the first in claim order) is taken.
    public const string LimitClaimLane = """
        WITH nf AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)),
        c AS MATERIALIZED (
            SELECT id, kind, concurrency_key, priority, run_at FROM {s}.jobs
            WHERE status = 'pending' AND run_at <= coalesce(@now, now()) {kind} {queue} {only} {paused}
              AND (concurrency_key IS NULL OR NOT (kind || chr(31) || concurrency_key = ANY(@full_keys)))
            ORDER BY priority DESC, run_at, id
            LIMIT @scan
            FOR UPDATE SKIP LOCKED),
        p AS MATERIALIZED (
            SELECT id FROM (
                SELECT id, priority, run_at, concurrency_key,
                       row_number() OVER (PARTITION BY kind, concurrency_key ORDER BY priority DESC, run_at, id) AS rn
                FROM c) w
            WHERE concurrency_key IS NULL OR rn = 1
            ORDER BY priority DESC, run_at, id
            LIMIT @limit),
        u AS (
            UPDATE {s}.jobs j
            SET status = 'processing', attempts = j.attempts + 1, lock_token = gen_random_uuid(),
                locked_until = coalesce(@now, now()) + @lease_ms * interval '1 millisecond', locked_by = @worker,
                started_at = coalesce(@now, now()), progress = NULL, progress_message = NULL, cancel_requested = false
            FROM nf WHERE j.id = ANY(ARRAY(SELECT id FROM p))
            RETURNING
        """ + " " + ColumnsJ + ")\nSELECT * FROM u";

    private static readonly Dictionary<(bool, bool, bool, bool), string> LimitLanes = [];

    /// <summary>A lane's statement, built once per shape: of one type or the unlimited ones, one queue or the unlimited ones, and the claimer's filters.</summary>
    public static string LimitClaimLaneFor(bool oneKind, bool oneQueue, bool byQueue, bool byKinds)
    {
        lock (LimitLanes)
        {
            if (LimitLanes.TryGetValue((oneKind, oneQueue, byQueue, byKinds), out var sql)) return sql;
            var only = (byQueue ? JobClaimQueueFilter + " " : "") + (byKinds ? JobClaimKindsFilter : "");
            sql = LimitClaimLane
                .Replace("{kind}", oneKind ? "AND limited AND kind = @lane_kind" : "AND NOT (ARRAY[kind] <@ @limited_kinds::text[])", StringComparison.Ordinal)
                .Replace("{queue}", oneQueue ? "AND limited AND queue = @lane_queue" : "AND NOT (ARRAY[queue] <@ @limited_queues::text[])", StringComparison.Ordinal)
                .Replace("{only}", (!oneKind && !oneQueue ? "AND concurrency_key IS NOT NULL " : "") + only, StringComparison.Ordinal)
                .Replace("{paused}", JobClaimPausedFilter, StringComparison.Ordinal);
            return LimitLanes[(oneKind, oneQueue, byQueue, byKinds)] = sql;
        }
    }

    // After the limits change: every unfinished job's flag as the new limits make it (a retried job is flagged by the retry).
    public const string LimitFlagJobs = """
        UPDATE {s}.jobs j
        SET limited = j.concurrency_key IS NOT NULL OR EXISTS (SELECT 1 FROM {s}.limits l
            WHERE (l.scope = 'type' AND l.name = j.kind) OR (l.scope = 'queue' AND l.name = j.queue))
        WHERE j.status IN ('pending', 'processing')
          AND j.limited IS DISTINCT FROM (j.concurrency_key IS NOT NULL OR EXISTS (SELECT 1 FROM {s}.limits l
            WHERE (l.scope = 'type' AND l.name = j.kind) OR (l.scope = 'queue' AND l.name = j.queue)))
        """;

    public const string LimitWindowUpdate = """
        UPDATE {s}.limits l SET window_start = to_timestamp(t.start_ms / 1000.0), window_count = t.count
        FROM unnest(@scopes::text[], @names::text[], @starts_ms::bigint[], @counts::integer[]) AS t(scope, name, start_ms, count)
        WHERE l.scope = t.scope AND l.name = t.name
        """;

    // Taken by the writing of limits before it flags the jobs: it waits for the enqueues and retries in flight (which read
    // the limits to flag their rows) and holds new ones until it commits, so no row keeps a flag of the limits before.
    public const string LimitJobsLock = "LOCK TABLE {s}.jobs IN SHARE ROW EXCLUSIVE MODE";

    public const string LimitDeleteOthers = """
        DELETE FROM {s}.limits l
        WHERE NOT EXISTS (SELECT 1 FROM unnest(@scopes::text[], @names::text[]) AS t(scope, name) WHERE t.scope = l.scope AND t.name = l.name)
        """;

    // A limit's rate window is kept while its rate is unchanged: a restart does not grant a fresh window.
    public const string LimitUpsert = """
        INSERT INTO {s}.limits (scope, name, rate, rate_period_ms, concurrency, key_concurrency, updated_at, updated_by)
        VALUES (@scope, @name, @rate, @rate_period_ms, @concurrency, @key_concurrency, coalesce(@now, now()), @node)
        ON CONFLICT (scope, name) DO UPDATE SET rate = excluded.rate, rate_period_ms = excluded.rate_period_ms,
            concurrency = excluded.concurrency, key_concurrency = excluded.key_concurrency,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by,
            window_start = CASE WHEN limits.rate_period_ms IS NOT DISTINCT FROM excluded.rate_period_ms THEN limits.window_start END,
            window_count = CASE WHEN limits.rate_period_ms IS NOT DISTINCT FROM excluded.rate_period_ms THEN limits.window_count ELSE 0 END
        """;

    public const string LimitList = """
        SELECT l.scope, l.name, l.rate, l.rate_period_ms, l.concurrency, l.key_concurrency, l.window_start, l.window_count,
               (SELECT count(*) FROM {s}.jobs j
                WHERE j.status = 'processing' AND (CASE WHEN l.scope = 'type' THEN j.kind ELSE j.queue END) = l.name)::integer,
               CASE WHEN l.scope = 'type' THEN (SELECT count(DISTINCT j.concurrency_key) FROM {s}.jobs j
                    WHERE j.status = 'processing' AND j.kind = l.name AND j.concurrency_key IS NOT NULL)::integer ELSE 0 END,
               l.updated_at, l.updated_by, coalesce(@now, now())
        FROM {s}.limits l
        ORDER BY l.scope DESC, l.name
        """;
}
