namespace Leora.Jobs.PostgreSql;

// The schedules table's statements (issue 12), named as in SqliteSql.Schedules.cs. {s} is the quoted schema.
internal static partial class PostgreSqlSql
{
    // The last job's status comes with each row (a primary-key look-up per schedule), for the overlap policy and the lists.
    private const string ScheduleSelect = """
        SELECT s.name, s.cron, s.time_zone, s.kind, s.payload::text, s.queue, s.priority, s.max_attempts, s.enabled, s.misfire,
               s.misfire_limit, s.overlap, s.next_run_at, s.last_job_id, s.created_at, s.updated_at, j.status
        """;

    private const string ScheduleValues = """
        (name, cron, time_zone, kind, payload, queue, priority, max_attempts, enabled, misfire, misfire_limit, overlap,
         next_run_at, created_at, updated_at)
        VALUES (@name, @cron, @time_zone, @kind, @payload::jsonb, @queue, @priority, @max_attempts, @enabled, @misfire,
                @misfire_limit, @overlap, @next_run_at, coalesce(@now, now()), coalesce(@now, now()))
        """;

    public const string ScheduleInsert = "INSERT INTO {s}.schedules " + ScheduleValues + " ON CONFLICT (name) DO NOTHING";

    public const string ScheduleUpdate = """
        UPDATE {s}.schedules
        SET cron = @cron, time_zone = @time_zone, kind = @kind, payload = @payload::jsonb, queue = @queue, priority = @priority,
            max_attempts = @max_attempts, enabled = @enabled, misfire = @misfire, misfire_limit = @misfire_limit,
            overlap = @overlap, next_run_at = @next_run_at, updated_at = coalesce(@now, now())
        WHERE name = @name
        """;

    // A declaration brought up to date at start keeps its next run while its timing is unchanged: a restart neither
    // enqueues a tick again nor drops one that is due.
    public const string ScheduleUpsert = "INSERT INTO {s}.schedules AS o " + ScheduleValues + """

        ON CONFLICT (name) DO UPDATE SET
            next_run_at = CASE WHEN o.enabled AND excluded.enabled AND o.cron = excluded.cron AND o.time_zone = excluded.time_zone
                               THEN o.next_run_at ELSE excluded.next_run_at END,
            cron = excluded.cron, time_zone = excluded.time_zone, kind = excluded.kind, payload = excluded.payload,
            queue = excluded.queue, priority = excluded.priority, max_attempts = excluded.max_attempts,
            enabled = excluded.enabled, misfire = excluded.misfire, misfire_limit = excluded.misfire_limit,
            overlap = excluded.overlap, updated_at = excluded.updated_at
        """;

    public const string ScheduleGet = ScheduleSelect + """

        FROM {s}.schedules s LEFT JOIN {s}.jobs j ON j.id = s.last_job_id
        WHERE s.name = @name
        """;

    public const string ScheduleList = ScheduleSelect + """

        FROM {s}.schedules s LEFT JOIN {s}.jobs j ON j.id = s.last_job_id
        ORDER BY s.name COLLATE "C"
        """;

    public const string ScheduleDelete = "DELETE FROM {s}.schedules WHERE name = @name";

    public const string ScheduleDue = ScheduleSelect + """

        FROM {s}.schedules s LEFT JOIN {s}.jobs j ON j.id = s.last_job_id
        WHERE s.enabled AND s.next_run_at IS NOT NULL AND s.next_run_at <= @due
        ORDER BY s.next_run_at
        LIMIT @limit
        """;

    // The compare-and-set that makes one tick one job, for a whole chunk of schedules in one statement (it was two round
    // trips per schedule, 41 s for 10,000 due at one tick: docs/benchmarks.md#schedules). The rows are locked first, in one
    // order for every evaluator (by name, "C"), so two evaluators advancing overlapping chunks wait for each other instead
    // of deadlocking; the second then re-checks each row (READ COMMITTED), no longer matches next_run_at, and changes nothing.
    public const string ScheduleAdvanceMany = """
        WITH t AS (
            SELECT * FROM unnest(@names::text[], @expected::timestamptz[], @next::timestamptz[]) AS t(name, expected, next_run_at)),
        l AS MATERIALIZED (
            SELECT s.name FROM {s}.schedules s WHERE s.name IN (SELECT name FROM t) ORDER BY s.name COLLATE "C" FOR UPDATE)
        UPDATE {s}.schedules s SET next_run_at = t.next_run_at
        FROM t
        WHERE s.name = t.name AND s.next_run_at = t.expected AND s.enabled AND s.name IN (SELECT name FROM l)
        RETURNING s.name
        """;

    public const string ScheduleSetLastJob = "UPDATE {s}.schedules SET last_job_id = @job_id WHERE name = @name";

    public const string ScheduleSetLastJobMany = """
        UPDATE {s}.schedules s SET last_job_id = t.job_id
        FROM unnest(@names::text[], @job_ids::bigint[]) AS t(name, job_id)
        WHERE s.name = t.name
        """;
}
