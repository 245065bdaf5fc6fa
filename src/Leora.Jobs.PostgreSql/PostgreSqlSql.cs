namespace Leora.Jobs.PostgreSql;

/// <summary>
/// The SQL of the PostgreSQL store, one constant per statement, named as in <c>SqliteSql</c>. <c>{s}</c> is the
/// quoted schema. Time is the database's clock (<c>now()</c>) so that nodes agree on leases; <c>@now</c> replaces it
/// only when a test opts in to its TimeProvider's clock (<c>coalesce(@now, now())</c>, <c>UseTimeProviderClock</c>).
/// </summary>
internal static partial class PostgreSqlSql
{
    public const string Columns =
        "id, kind, queue, status, priority, payload::text, attempts, max_attempts, idempotency_key, lock_token, locked_until, " +
        "locked_by, progress, progress_message, result::text, errors::text, cancel_requested, created_at, run_at, started_at, completed_at, concurrency_key, " +
        "trace_parent, trace_state";

    public const string ColumnsJ =
        "j.id, j.kind, j.queue, j.status, j.priority, j.payload::text, j.attempts, j.max_attempts, j.idempotency_key, j.lock_token, j.locked_until, " +
        "j.locked_by, j.progress, j.progress_message, j.result::text, j.errors::text, j.cancel_requested, j.created_at, j.run_at, j.started_at, j.completed_at, j.concurrency_key, " +
        "j.trace_parent, j.trace_state";

    // Several nodes may start at once: the advisory lock makes one of them migrate while the others wait.
    public const string MigrationLock = "SELECT pg_advisory_xact_lock(hashtext('leora-jobs-migrate:' || @schema))";

    public const string MigrationsTable = """
        CREATE SCHEMA IF NOT EXISTS {s};
        CREATE TABLE IF NOT EXISTS {s}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
        """;

    public const string MigrationVersion = "SELECT coalesce(max(version), 0) FROM {s}.migrations";

    public const string MigrationsTableExists = "SELECT to_regclass(@table) IS NOT NULL";

    public const string MigrationRecord = "INSERT INTO {s}.migrations (version) VALUES (@version)";

    // Returns the row as stored (jsonb's own rendering of the payload, the database's times), so that a caller can answer
    // with the job without reading it back. A taken key returns nothing: JobGetByIdempotencyKey reads the existing row.
    public const string JobInsert = """
        INSERT INTO {s}.jobs (kind, queue, status, priority, payload, max_attempts, idempotency_key, created_at, run_at, concurrency_key, limited,
                              trace_parent, trace_state)
        VALUES (@kind, @queue, 'pending', @priority, @payload::jsonb, @max_attempts, @idempotency_key, coalesce(@now, now()),
                coalesce(@run_at, coalesce(@now, now()) + coalesce(@delay_ms, 0) * interval '1 millisecond'), @concurrency_key,
                (@concurrency_key::text IS NOT NULL OR EXISTS (SELECT 1 FROM {s}.limits l WHERE (l.scope = 'type' AND l.name = @kind) OR (l.scope = 'queue' AND l.name = @queue))),
                @trace_parent, @trace_state)
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING
        """ + " " + Columns;

    // One round trip for a whole batch: arrays unnested in order; ids are assigned in that order. The limits are read once
    // per statement (two arrays), not probed per row (10,000 probes were a tenth of the statement's time).
    public const string JobInsertMany = """
        INSERT INTO {s}.jobs (kind, queue, status, priority, payload, max_attempts, idempotency_key, created_at, run_at, concurrency_key, limited,
                              trace_parent, trace_state)
        SELECT t.kind, t.queue, 'pending', t.priority, t.payload::jsonb, t.max_attempts, t.idempotency_key, coalesce(@now, now()),
               coalesce(t.run_at, coalesce(@now, now()) + coalesce(t.delay_ms, 0) * interval '1 millisecond'), t.concurrency_key,
               t.concurrency_key IS NOT NULL OR t.kind = ANY(lim.types) OR t.queue = ANY(lim.queues),
               t.trace_parent, t.trace_state
        FROM (SELECT ARRAY(SELECT name FROM {s}.limits WHERE scope = 'type') AS types,
                     ARRAY(SELECT name FROM {s}.limits WHERE scope = 'queue') AS queues) lim,
             unnest(@kinds::text[], @queues::text[], @priorities::integer[], @payloads::text[], @max_attempts::integer[],
                    @idempotency_keys::text[], @run_ats::timestamptz[], @delays_ms::bigint[], @concurrency_keys::text[],
                    @trace_parents::text[], @trace_states::text[])
             WITH ORDINALITY AS t(kind, queue, priority, payload, max_attempts, idempotency_key, run_at, delay_ms, concurrency_key, trace_parent, trace_state, ord)
        ORDER BY t.ord
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING id, idempotency_key
        """;

    // A batch without idempotency keys (most bulk enqueues): the same insert without ON CONFLICT, which makes every row a
    // speculative insertion (an extra WAL record and a check of the arbiter index per row): 290 -> 245 ms per 10,000 rows.
    public static readonly string JobInsertManyUnkeyed = JobInsertMany.ReplaceOnce(
        "ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING\n", "");

    public const string JobGetByIdempotencyKey = "SELECT " + Columns + " FROM {s}.jobs WHERE idempotency_key = @idempotency_key";

    public const string JobIdsByIdempotencyKeys = "SELECT idempotency_key, id FROM {s}.jobs WHERE idempotency_key = ANY(@idempotency_keys)";

    // One statement: pick (and row-lock, skipping rows other workers hold) then update. MATERIALIZED stops the
    // planner from inlining the CTE and updating more rows than the LIMIT (DESIGN.md invariant 7). The update finds its
    // rows by `id = ANY(ARRAY(…))`, an index scan of the primary key: joined to the CTE (`FROM c WHERE j.id = c.id`)
    // the planner hashed the CTE and read the whole table, 80 ms per claim of 1,000 with 100,000 rows (EXPLAIN ANALYZE
    // in docs/benchmarks.md), and more as finished rows pile up.
    //
    // The claim's commit does not wait for its WAL flush (synchronous_commit off for this transaction only): it is the one
    // write whose loss is harmless. A worker crash loses nothing (PostgreSQL flushes within wal_writer_delay); only a
    // database crash can lose the last claims, and their jobs are then pending again, which a crash makes them anyway
    // (the worker cannot write their outcome). Enqueues, completions and failures still wait for the flush.
    public const string JobClaim = """
        WITH nf AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)),
        c AS MATERIALIZED (
            SELECT id FROM {s}.jobs
            WHERE status = 'pending' AND run_at <= coalesce(@now, now()) {queue} {kinds} {paused}
              {unlimited}
            ORDER BY priority DESC, run_at, id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED),
        u AS (
            UPDATE {s}.jobs j
            SET status = 'processing', attempts = j.attempts + 1, lock_token = gen_random_uuid(),
                locked_until = coalesce(@now, now()) + @lease_ms * interval '1 millisecond', locked_by = @worker,
                started_at = coalesce(@now, now()), progress = NULL, progress_message = NULL, cancel_requested = false
            FROM nf WHERE j.id = ANY(ARRAY(SELECT id FROM c))
            RETURNING
        """ + " " + ColumnsJ + ")\nSELECT * FROM u";

    // A claim writes no timeline event: the row's started_at, attempts and locked_by are the latest claim, and the completion
    // is the row's completed_at (JobTimeline). The statements that end or interrupt an attempt otherwise (fail, rescue,
    // release, a cancel request) write the attempt's claim as an events row first (AttemptEvents). The drain that no longer
    // writes two events rows per job ran 12 % faster (docs/benchmarks.md, "Issue 16, sixth round").
    //
    // AttemptEvents: the events of a statement whose u returns id, status, attempts, locked_by, started_at and
    // claimed_attempt (the attempt whose claim is due, or NULL for none): the claim first, unless the job's latest events
    // row is already that attempt's claim or its cancel request (which wrote the claim before itself), then the event
    // ({event}: at, kind, message). One INSERT, ordered, so the identity gives them in that order. {where} filters both.
    private const string AttemptEvents = """
        e AS (INSERT INTO {s}.job_events (job_id, at, kind, status, attempt, worker, message)
              SELECT v.job_id, v.at, v.kind, v.status, v.attempt, v.worker, v.message
              FROM u CROSS JOIN LATERAL (VALUES
                  (1, u.id, u.started_at, 'claimed', 'processing', u.claimed_attempt, u.locked_by, NULL::text),
                  (2, u.id, {event})) v(ord, job_id, at, kind, status, attempt, worker, message)
              WHERE ({where}) AND (v.ord = 2 OR (u.claimed_attempt IS NOT NULL AND NOT EXISTS (
                  SELECT 1 FROM (SELECT kind, attempt FROM {s}.job_events WHERE job_id = u.id ORDER BY id DESC LIMIT 1) l
                  WHERE l.kind IN ('claimed', 'cancel_requested') AND l.attempt = u.claimed_attempt)))
              ORDER BY v.job_id, v.ord)
        """;

    /// <summary><see cref="AttemptEvents"/> with its event (at, kind, status, attempt, worker, message) and filter.</summary>
    internal static string AttemptEventsOf(string @event, string where = "true") =>
        AttemptEvents.Replace("{event}", @event, StringComparison.Ordinal).Replace("{where}", where, StringComparison.Ordinal);

    // Limits (issue 12): the fast claim leaves every limited job to the serialised limited claim (PostgreSqlSql.Limits.cs):
    // rows flagged limited (which its partial indexes leave out, so it never scans past them), and, for a row whose flag
    // was written before a limit was (an enqueue racing a node's start), keyed jobs and the jobs of a type or queue that
    // has a limit row. The two arrays are read once per statement (init plans over a table of a few rows).
    //
    // Each exclusion is written `NOT (ARRAY[kind] <@ array)`, never `kind <> ALL(array)` or `NOT IN (subquery)`: the
    // planner cannot see the array an init plan returns, and estimates `kind <> ALL(it)` as `kind <> (any one kind)`,
    // which with one or two kinds in the table is about no row at all (`NOT IN`: half the rows). Told that one row of
    // 100,000 pending would match, it read them all and sorted them (on disk, as the sort sits below the row locks, so it
    // cannot keep just the first LIMIT rows) instead of walking the pending index for the first 800: 147 ms per claim
    // against 2 ms, and the empty-table drain ran at a third of the drain with 1,000,000 finished rows beside it (whose
    // statistics made pending rare enough to choose the index). A containment test of an expression has a fixed estimate
    // (0.5 %), so each exclusion keeps 99.5 % of the rows in the estimate; PostgreSqlClaimPlanTests holds the plan.
    public const string JobClaimUnlimited =
        "AND NOT limited AND concurrency_key IS NULL AND NOT (ARRAY[kind] <@ ARRAY(SELECT name FROM {s}.limits WHERE scope = 'type')) " +
        "AND NOT (ARRAY[queue] <@ ARRAY(SELECT name FROM {s}.limits WHERE scope = 'queue'))";

    // The planner's picture of the jobs table (PostgreSqlJobStore.Statistics.cs): rows at its last analysis (-1: never),
    // rows changed since (the statistics system's count, which a busy backend reports up to ten seconds late), and the
    // table's pages then and now (exact at once).
    public const string JobsStatistics = """
        SELECT c.reltuples::float8, coalesce(s.n_mod_since_analyze, 0), c.relpages::bigint,
               pg_relation_size(c.oid) / current_setting('block_size')::bigint
        FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
        WHERE c.oid = @table::regclass
        """;

    public const string JobsAnalyze = "ANALYZE {s}.jobs";

    public const string JobClaimQueueFilter = "AND queue = @queue";

    // Paused queues and types (issue 12) are read by the claim itself, so a pause or resume holds from the next claim of
    // every node, with nothing to reload or notify: each array is an init plan over the (tiny) pauses table, built once
    // per statement and tested against the rows the pending index yields, in order (written as containment for the
    // planner's estimate, as JobClaimUnlimited).
    public const string JobClaimPausedFilter =
        "AND NOT (ARRAY[queue] <@ ARRAY(SELECT name FROM {s}.pauses WHERE scope = 'queue')) AND NOT (ARRAY[kind] <@ ARRAY(SELECT name FROM {s}.pauses WHERE scope = 'type'))";

    // Only the types the claiming process has handlers for (issue 20), as one text[] parameter: a filter on the rows
    // the pending index yields, in order; the statement's text is the same for every list.
    public const string JobClaimKindsFilter = "AND kind = ANY(@kinds)";

    private static readonly string[] JobClaims =
    [
        .. from byQueue in (bool[])[false, true]
           from byKinds in (bool[])[false, true]
           select JobClaim.Replace("{queue}", byQueue ? JobClaimQueueFilter : "", StringComparison.Ordinal)
               .Replace("{kinds}", byKinds ? JobClaimKindsFilter : "", StringComparison.Ordinal)
               .Replace("{paused}", JobClaimPausedFilter, StringComparison.Ordinal)
               .Replace("{unlimited}", JobClaimUnlimited, StringComparison.Ordinal),
    ];

    /// <summary>The claim statement, built once per shape: of one queue or all, of some types or any.</summary>
    public static string JobClaimFor(bool byQueue, bool byKinds) => JobClaims[(byQueue ? 2 : 0) + (byKinds ? 1 : 0)];

    // The completion and its count in the history, one statement; it returns the job's id when it completed it. Its timeline
    // event is the row's completed_at (JobTimeline).
    public const string JobComplete = """
        WITH u AS (
            UPDATE {s}.jobs
            SET status = 'completed', result = coalesce(@result::jsonb, result), completed_at = coalesce(@now, now()), progress = 100,
                progress_message = NULL, lock_token = NULL, locked_until = NULL, cancel_requested = false
            WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
            RETURNING id, status, completed_at),
        """ + HistoryCount + """
        SELECT id FROM u
        """;

    // The history (migration 010): the jobs of u that ended completed or failed, counted in their minute's slot of the ring,
    // in this backend's shard. A write for an older minute than the slot holds (a week behind) is dropped, never let reset it.
    public const string HistoryCount = """
        h AS (INSERT INTO {s}.job_history AS h (slot, shard, minute, completed, failed)
              SELECT (x.m % 10200)::integer, (pg_backend_pid() % 8)::smallint, x.m,
                     count(*) FILTER (WHERE x.status = 'completed'), count(*) FILTER (WHERE x.status = 'failed')
              FROM (SELECT floor(extract(epoch FROM completed_at) / 60)::bigint AS m, status FROM u
                    WHERE status IN ('completed', 'failed')) x
              GROUP BY x.m
              ON CONFLICT (slot, shard) DO UPDATE SET
                  completed = CASE WHEN h.minute = excluded.minute THEN h.completed + excluded.completed ELSE excluded.completed END,
                  failed = CASE WHEN h.minute = excluded.minute THEN h.failed + excluded.failed ELSE excluded.failed END,
                  minute = excluded.minute
              WHERE excluded.minute >= h.minute)
        """;


    // The batch completer's statement: many fenced completions, one round trip, one commit.
    public const string JobCompleteMany = """
        WITH u AS (
            UPDATE {s}.jobs j
            SET status = 'completed', result = coalesce(t.result::jsonb, j.result), completed_at = coalesce(@now, now()), progress = 100,
                progress_message = NULL, lock_token = NULL, locked_until = NULL, cancel_requested = false
            FROM unnest(@ids::bigint[], @lock_tokens::uuid[], @results::text[]) AS t(id, lock_token, result)
            WHERE j.id = t.id AND j.lock_token = t.lock_token AND j.status = 'processing'
            RETURNING j.id, j.status, j.completed_at),
        """ + HistoryCount + """
        SELECT id FROM u
        """;

    // A job that ends cancelled keeps cancel_requested set (the API's cancelRequested says a cancel was asked for and
    // ended it); any other outcome clears it. A completed job's progress is 100 and its progress message is cleared.
    public static readonly string JobFail = """
        WITH u AS (
            UPDATE {s}.jobs
            SET status = CASE WHEN @retry_ms::bigint IS NULL THEN @final_status ELSE 'pending' END,
                run_at = CASE WHEN @retry_ms::bigint IS NULL THEN run_at ELSE coalesce(@now, now()) + @retry_ms * interval '1 millisecond' END,
                completed_at = CASE WHEN @retry_ms::bigint IS NULL THEN coalesce(@now, now()) ELSE NULL END,
                errors = errors || jsonb_build_array(@error::jsonb),
                lock_token = NULL, locked_until = NULL, cancel_requested = (@retry_ms::bigint IS NULL AND @final_status = 'cancelled')
            WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
            RETURNING id, status, completed_at, attempts, locked_by, started_at, attempts AS claimed_attempt),
        """ + HistoryCount + ",\n" + AttemptEventsOf("""
            coalesce(@now, now()), CASE WHEN u.status = 'cancelled' THEN 'cancelled' ELSE 'failed' END, u.status, u.attempts, u.locked_by,
            @error::jsonb ->> 'message'
            """) + "\nSELECT id FROM u";

    // Graceful shutdown: the attempt did not really happen, so it is not counted.
    // The attempt released is the one claimed: one more than the count the row keeps (a running job's is at least 1).
    public static readonly string JobRelease = """
        WITH u AS (
            UPDATE {s}.jobs
            SET status = 'pending', attempts = greatest(attempts - 1, 0), lock_token = NULL, locked_until = NULL, cancel_requested = false
            WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
            RETURNING id, status, attempts, locked_by, started_at, attempts + 1 AS claimed_attempt),
        """ + AttemptEventsOf("coalesce(@now, now()), 'released', u.status, u.attempts, u.locked_by, NULL") + "\nSELECT id FROM u";

    public const string JobHeartbeat = """
        UPDATE {s}.jobs SET locked_until = coalesce(@now, now()) + @lease_ms * interval '1 millisecond'
        WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
        RETURNING cancel_requested
        """;

    // The node's batched heartbeat: every job this process holds, one round trip, one commit.
    // It never waits for a row lock (SKIP LOCKED). It used to, and then deadlocked with this process's own group completion
    // (JobCompleteMany): both lock many of the same rows, each in its own join order, and a completion that waits for a
    // batch's row (the workflow trigger) holds its rows long enough for the heartbeat to queue behind it while holding the
    // next completion's rows (issue 14's scale test: "deadlock detected" twice in one 100,000-child run, a group of
    // completions lost and run again). A row locked elsewhere is being finished by its holder (most often this process's
    // completion) or taken by a rescue; it keeps its lease until the next heartbeat, which sees the outcome (the lease is
    // three heartbeats long), so it is answered as held, from the statement's snapshot.
    public const string JobHeartbeatMany = """
        WITH t AS MATERIALIZED (SELECT * FROM unnest(@ids::bigint[], @lock_tokens::uuid[]) AS t(id, lock_token)),
        l AS MATERIALIZED (
            SELECT j.id FROM {s}.jobs j JOIN t ON j.id = t.id AND j.lock_token = t.lock_token
            WHERE j.status = 'processing'
            FOR UPDATE OF j SKIP LOCKED),
        u AS (
            UPDATE {s}.jobs j SET locked_until = coalesce(@now, now()) + @lease_ms * interval '1 millisecond'
            WHERE j.id = ANY(ARRAY(SELECT id FROM l))
            RETURNING j.id, j.cancel_requested)
        SELECT id, cancel_requested FROM u
        UNION ALL
        SELECT j.id, j.cancel_requested FROM {s}.jobs j JOIN t ON j.id = t.id AND j.lock_token = t.lock_token
        WHERE j.status = 'processing' AND j.id <> ALL(ARRAY(SELECT id FROM l))
        """;

    public const string JobProgress = """
        UPDATE {s}.jobs SET progress = @progress, progress_message = @message
        WHERE id = @id AND lock_token = @lock_token AND status = 'processing'
        RETURNING id
        """;

    public static readonly string JobRescue = """
        WITH r AS MATERIALIZED (
            SELECT id FROM {s}.jobs
            WHERE status = 'processing' AND locked_until < coalesce(@now, now())
            ORDER BY locked_until
            LIMIT @limit
            FOR UPDATE SKIP LOCKED),
        u AS (
            UPDATE {s}.jobs j
            SET status = CASE WHEN j.cancel_requested THEN 'cancelled' WHEN j.attempts >= j.max_attempts THEN 'failed' ELSE 'pending' END,
                completed_at = CASE WHEN j.cancel_requested OR j.attempts >= j.max_attempts THEN coalesce(@now, now()) ELSE NULL END,
                errors = j.errors || jsonb_build_array(jsonb_build_object(
                    'attempt', j.attempts, 'message', @message::text, 'type', 'LeaseExpired', 'stackTrace', NULL,
                    'at', to_jsonb(coalesce(@now, now())), 'worker', j.locked_by)),
                lock_token = NULL, locked_until = NULL, run_at = coalesce(@now, now())
            WHERE j.id = ANY(ARRAY(SELECT id FROM r))
            RETURNING j.id, j.status, j.completed_at, j.attempts, j.locked_by, j.started_at, j.attempts AS claimed_attempt),
        """ + HistoryCount + ",\n" + AttemptEventsOf("coalesce(@now, now()), 'rescued', u.status, u.attempts, u.locked_by, @message::text") +
        "\nSELECT count(*) FROM u";

    public const string JobGet = "SELECT " + Columns + " FROM {s}.jobs WHERE id = @id";

    public const string JobList = "SELECT " + Columns + " FROM {s}.jobs WHERE true {where} ORDER BY id {order} LIMIT @limit";

    // Bounded: counting stops at @limit rows, so a total over a large table costs no more than reading that many index entries.
    public const string JobCount = "SELECT count(*) FROM (SELECT 1 FROM {s}.jobs WHERE true {where} LIMIT @limit) c";

    // Only a job that is waiting (scheduled, or between attempts) is moved; its attempts, errors and everything else stay.
    // Its timeline records the move (the answer is the number of events written: one per job moved).
    public const string JobRunNow = """
        WITH u AS (
            UPDATE {s}.jobs SET run_at = coalesce(@now, now())
            WHERE id = @id AND status = 'pending' AND run_at > coalesce(@now, now())
            RETURNING id, run_at, status, attempts)
        INSERT INTO {s}.job_events (job_id, at, kind, status, attempt)
        SELECT id, run_at, 'run_now', status, attempts FROM u
        """;

    // Unfinished jobs and those finished in the last hour, per queue or type ({group}): two index ranges (by status, and by
    // status and completed_at), never the finished history.
    public const string JobCountByGroup = """
        SELECT g,
               count(*) FILTER (WHERE status = 'pending' AND run_at <= coalesce(@now, now())),
               count(*) FILTER (WHERE status = 'pending' AND run_at > coalesce(@now, now()) AND attempts = 0),
               count(*) FILTER (WHERE status = 'pending' AND run_at > coalesce(@now, now()) AND attempts > 0),
               count(*) FILTER (WHERE status = 'processing'),
               count(*) FILTER (WHERE status = 'completed'),
               count(*) FILTER (WHERE status = 'failed'),
               extract(epoch FROM coalesce(@now, now()) - min(run_at) FILTER (WHERE status = 'pending' AND run_at <= coalesce(@now, now())))::float8
        FROM (SELECT {group} AS g, status, run_at, attempts FROM {s}.jobs WHERE status IN ('pending', 'processing')
              UNION ALL
              SELECT {group} AS g, status, run_at, attempts FROM {s}.jobs
              WHERE status IN ('completed', 'failed') AND completed_at >= coalesce(@now, now()) - interval '1 hour') j
        GROUP BY g ORDER BY g COLLATE "C"
        """;

    public const string JobCountByStatus = "SELECT status, count(*) FROM {s}.jobs GROUP BY status";

    public const string JobCountUnfinishedByKind =
        "SELECT kind, status, count(*) FROM {s}.jobs WHERE status IN ('pending', 'processing') GROUP BY kind, status";

    public const string JobCountUnfinishedByQueue =
        "SELECT queue, status, count(*) FROM {s}.jobs WHERE status IN ('pending', 'processing') GROUP BY queue, status";

    public const string JobPendingSplit = """
        SELECT count(*) FILTER (WHERE run_at <= coalesce(@now, now())),
               count(*) FILTER (WHERE run_at > coalesce(@now, now())),
               min(run_at) FILTER (WHERE run_at <= coalesce(@now, now())),
               coalesce(@now, now())
        FROM {s}.jobs WHERE status = 'pending'
        """;

    public const string JobThroughput = """
        SELECT floor(extract(epoch FROM completed_at) / 60)::bigint AS minute,
               count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed')
        FROM {s}.jobs
        WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at >= to_timestamp(@since_minute * 60)
        GROUP BY 1
        """;

    // A waiting job (workflows) is cancelled as a pending one is; the workflow trigger tells its dependants and batch.
    // A repeated cancel of a running job asks again, and records no second event (the SQLite trigger sees no change). A
    // cancel request writes the running attempt's claim before itself (AttemptEvents).
    public static readonly string JobCancel = """
        WITH o AS (SELECT cancel_requested FROM {s}.jobs WHERE id = @id),
        u AS (
            UPDATE {s}.jobs
            SET status = CASE WHEN status IN ('pending', 'waiting') THEN 'cancelled' ELSE status END,
                completed_at = CASE WHEN status IN ('pending', 'waiting') THEN coalesce(@now, now()) ELSE completed_at END,
                cancel_requested = true
            WHERE id = @id AND status IN ('pending', 'processing', 'waiting')
            RETURNING id, status, attempts, locked_by, started_at, CASE WHEN status = 'processing' THEN attempts END AS claimed_attempt),
        """ + AttemptEventsOf(CancelEvent, "u.status = 'cancelled' OR NOT coalesce((SELECT cancel_requested FROM o), false)") +
        "\nSELECT status FROM u";

    // The event of a cancel (JobCancel, BatchCancelMembers): a pending or waiting job is cancelled, a running one asked to stop.
    internal const string CancelEvent = """
        coalesce(@now, now()), CASE WHEN u.status = 'cancelled' THEN 'cancelled' ELSE 'cancel_requested' END, u.status, u.attempts,
        CASE WHEN u.status = 'processing' THEN u.locked_by END, NULL
        """;

    public const string JobStatus = "SELECT status FROM {s}.jobs WHERE id = @id";

    // A manual retry keeps the attempt count (error history stays numbered) and grants @attempts more (the job type's
    // max attempts), never more than @max_attempts in all: a job that has used them all is not retried.
    public const string JobRetry = """
        WITH u AS (
            UPDATE {s}.jobs
            SET status = 'pending', max_attempts = least(attempts + @attempts, @max_attempts), run_at = coalesce(@now, now()), completed_at = NULL,
                cancel_requested = false, lock_token = NULL, locked_until = NULL, progress = NULL, progress_message = NULL,
                limited = concurrency_key IS NOT NULL OR EXISTS (SELECT 1 FROM {s}.limits l
                    WHERE (l.scope = 'type' AND l.name = jobs.kind) OR (l.scope = 'queue' AND l.name = jobs.queue))
            WHERE id = @id AND status IN ('failed', 'cancelled') AND attempts < @max_attempts
            RETURNING id, status, run_at, attempts)
        INSERT INTO {s}.job_events (job_id, at, kind, status, attempt)
        SELECT id, run_at, 'retried', status, attempts FROM u
        """;

    // An unfinished workflow job is not deleted (Conflict: cancel it first): its dependants and batch wait for its outcome.
    // A job's timeline goes with it; the answer is the number of jobs deleted. ANY(ARRAY(…)) reads the events' primary key.
    public const string JobDelete = """
        WITH d AS (DELETE FROM {s}.jobs WHERE id = @id AND status <> 'processing' AND NOT (workflow AND status IN ('pending', 'waiting')) RETURNING id),
        e AS (DELETE FROM {s}.job_events WHERE job_id = ANY(ARRAY(SELECT id FROM d)))
        SELECT count(*) FROM d
        """;

    public const string JobDeleteFinished = """
        WITH d AS (
            DELETE FROM {s}.jobs WHERE id IN (
                SELECT id FROM {s}.jobs
                WHERE status IN ('completed', 'failed', 'cancelled')
                  AND completed_at < coalesce(@now, now()) - @older_ms * interval '1 millisecond'
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING id),
        e AS (DELETE FROM {s}.job_events WHERE job_id = ANY(ARRAY(SELECT id FROM d)))
        SELECT count(*) FROM d
        """;

    public const string NodeHeartbeat = """
        INSERT INTO {s}.nodes (name, started_at, heartbeat_at, queues, concurrency, running, kinds)
        VALUES (@name, coalesce(@now, now()), coalesce(@now, now()), @queues, @concurrency, @running, @kinds)
        ON CONFLICT (name) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, queues = excluded.queues,
            concurrency = excluded.concurrency, running = excluded.running, kinds = excluded.kinds
        """;

    public const string NodeDelete = "DELETE FROM {s}.nodes WHERE name = @name";

    public const string NodeDeleteStale = "DELETE FROM {s}.nodes WHERE heartbeat_at < coalesce(@now, now()) - @older_ms * interval '1 millisecond'";

    public const string NodeList = """
        SELECT n.name, n.started_at, n.heartbeat_at, n.queues, n.concurrency, n.running,
               EXISTS (SELECT 1 FROM {s}.leader l WHERE l.name = 'maintenance' AND l.holder = n.name AND l.expires_at > coalesce(@now, now())),
               n.kinds
        FROM {s}.nodes n ORDER BY n.name
        """;

    // Free, expired, or already ours: take or extend it. The WHERE on the conflict branch makes a live lease of
    // another node win, and the row lock of the upsert serialises two nodes electing at once.
    public const string LeaderElect = """
        INSERT INTO {s}.leader AS l (name, holder, elected_at, expires_at)
        VALUES ('maintenance', @holder, coalesce(@now, now()), coalesce(@now, now()) + @ttl_ms * interval '1 millisecond')
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
            elected_at = CASE WHEN l.holder = excluded.holder THEN l.elected_at ELSE excluded.elected_at END
        WHERE l.holder = excluded.holder OR l.expires_at < coalesce(@now, now())
        RETURNING holder
        """;

    public const string LeaderResign = "DELETE FROM {s}.leader WHERE name = 'maintenance' AND holder = @holder";

    public const string DbNow = "SELECT coalesce(@now, now())";
}
