namespace Leora.Jobs.PostgreSql;

// A job's timeline, the throughput history and the bounded search (issue 19). The events and the history are written by
// the statements that change the jobs (AttemptEvents, HistoryCount and the CTEs of PostgreSqlSql.cs); a job's enqueue, latest
// claim and completion are its row's own columns (JobTimeline).
internal static partial class PostgreSqlSql
{
    // The latest 1,000 events of a job, newest first (the store reverses them): one range of the events' primary key.
    public const string JobEventList = """
        SELECT at, kind, status, attempt, worker, message FROM {s}.job_events
        WHERE job_id = @id ORDER BY id DESC LIMIT 1000
        """;

    // The ring's slots hold their minute; slots of a week ago hold an older one and drop out of the range. The database's
    // clock is read in the same statement, so the buckets are the ones its writes counted in.
    public const string JobHistory = """
        SELECT NULL::bigint, 0::bigint, 0::bigint, coalesce(@now, now())
        UNION ALL
        SELECT minute / @per, sum(completed)::bigint, sum(failed)::bigint, NULL FROM {s}.job_history
        WHERE minute >= floor(extract(epoch FROM coalesce(@now, now())) / 60)::bigint / @per * @per - (@count - 1) * @per
        GROUP BY minute / @per
        """;

    // A search: at most @scan rows that pass the indexed filters ({where}, read by keyset on id), then the search's own
    // filters ({search}) on those.
    // The count of a search, over the same bounded window as its list, stopping at @limit.
    public const string JobSearchCount =
        "SELECT count(*) FROM (SELECT 1 FROM {s}.jobs WHERE id = ANY(ARRAY(SELECT id FROM {s}.jobs WHERE true {where} ORDER BY id {order} LIMIT @scan)) {search} LIMIT @limit) c";

    public const string JobSearch =
        "SELECT " + Columns + " FROM {s}.jobs WHERE id = ANY(ARRAY(SELECT id FROM {s}.jobs WHERE true {where} ORDER BY id {order} LIMIT @scan)) {search} ORDER BY id {order} LIMIT @limit";
}
