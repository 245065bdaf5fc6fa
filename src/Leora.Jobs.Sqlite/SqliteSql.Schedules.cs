namespace Leora.Jobs.Sqlite;

// The schedules table's statements (issue 12), named as in PostgreSqlSql.Schedules.cs.
internal static partial class SqliteSql
{
    // The last job's status comes with each row (a primary-key look-up per schedule), for the overlap policy and the lists.
    private const string ScheduleSelect = """
        SELECT s.name, s.cron, s.time_zone, s.kind, s.payload, s.queue, s.priority, s.max_attempts, s.enabled, s.misfire,
               s.misfire_limit, s.overlap, s.next_run_at, s.last_job_id, s.created_at, s.updated_at, j.status
        """;

    private const string ScheduleValues = """
        (name, cron, time_zone, kind, payload, queue, priority, max_attempts, enabled, misfire, misfire_limit, overlap,
         next_run_at, created_at, updated_at)
        VALUES (@name, @cron, @time_zone, @kind, @payload, @queue, @priority, @max_attempts, @enabled, @misfire, @misfire_limit,
                @overlap, @next_run_at, @now, @now)
        """;

    public const string ScheduleInsert = "INSERT INTO leora_schedules " + ScheduleValues + " ON CONFLICT (name) DO NOTHING";

    public const string ScheduleUpdate = """
        UPDATE leora_schedules
        SET cron = @cron, time_zone = @time_zone, kind = @kind, payload = @payload, queue = @queue, priority = @priority,
            max_attempts = @max_attempts, enabled = @enabled, misfire = @misfire, misfire_limit = @misfire_limit,
            overlap = @overlap, next_run_at = @next_run_at, updated_at = @now
        WHERE name = @name
        """;

    // A declaration brought up to date at start keeps its next run while its timing is unchanged: a restart neither
    // enqueues a tick again nor drops one that is due.
    public const string ScheduleUpsert = "INSERT INTO leora_schedules " + ScheduleValues + """

        ON CONFLICT (name) DO UPDATE SET
            next_run_at = CASE WHEN leora_schedules.enabled = 1 AND excluded.enabled = 1 AND leora_schedules.cron = excluded.cron
                                    AND leora_schedules.time_zone = excluded.time_zone
                               THEN leora_schedules.next_run_at ELSE excluded.next_run_at END,
            cron = excluded.cron, time_zone = excluded.time_zone, kind = excluded.kind, payload = excluded.payload,
            queue = excluded.queue, priority = excluded.priority, max_attempts = excluded.max_attempts,
            enabled = excluded.enabled, misfire = excluded.misfire, misfire_limit = excluded.misfire_limit,
            overlap = excluded.overlap, updated_at = excluded.updated_at
        """;

    public const string ScheduleGet = ScheduleSelect + """

        FROM leora_schedules s LEFT JOIN leora_jobs j ON j.id = s.last_job_id
        WHERE s.name = @name
        """;

    public const string ScheduleList = ScheduleSelect + """

        FROM leora_schedules s LEFT JOIN leora_jobs j ON j.id = s.last_job_id
        ORDER BY s.name
        """;

    public const string ScheduleDelete = "DELETE FROM leora_schedules WHERE name = @name";

    // Named index, as the claim's: the due look-up must not scan the table (SqliteSchedulePlanTests).
    public const string ScheduleDue = ScheduleSelect + """

        FROM leora_schedules s INDEXED BY leora_schedules_due LEFT JOIN leora_jobs j ON j.id = s.last_job_id
        WHERE s.enabled = 1 AND s.next_run_at IS NOT NULL AND s.next_run_at <= @now
        ORDER BY s.next_run_at
        LIMIT @limit
        """;

    // The compare-and-set that makes one tick one job: only the evaluator that still sees the next run it read moves it.
    // One statement for a whole chunk, [[name, expected ms, next ms or null], …]: the figure for 10,000 schedules due at one
    // tick was two statements per schedule before (docs/benchmarks.md#schedules).
    public const string ScheduleAdvanceMany = """
        UPDATE leora_schedules SET next_run_at = json_extract(t.value, '$[2]')
        FROM json_each(@advances) AS t
        WHERE leora_schedules.name = json_extract(t.value, '$[0]') AND leora_schedules.next_run_at = json_extract(t.value, '$[1]')
          AND leora_schedules.enabled = 1
        RETURNING leora_schedules.name
        """;

    public const string ScheduleSetLastJob = "UPDATE leora_schedules SET last_job_id = @job_id WHERE name = @name";

    // The ticks' jobs of a whole chunk of schedules in one statement: [[name, job id], …].
    public const string ScheduleSetLastJobMany = """
        UPDATE leora_schedules SET last_job_id = json_extract(t.value, '$[1]')
        FROM json_each(@last_jobs) AS t
        WHERE leora_schedules.name = json_extract(t.value, '$[0]')
        """;
}
