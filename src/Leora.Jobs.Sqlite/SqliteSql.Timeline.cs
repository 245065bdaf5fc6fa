namespace Leora.Jobs.Sqlite;

// A job's timeline, the throughput history and the bounded search (issue 19). The events and the history are written by
// migration 010's triggers, in the statements that change the jobs.
internal static partial class SqliteSql
{
    // The latest 1,000 events of a job, newest first (the store reverses them): one range of the events' primary key.
    public const string JobEventList = """
        SELECT at, kind, status, attempt, worker, message FROM leora_job_events
        WHERE job_id = @id ORDER BY seq DESC LIMIT 1000
        """;

    // The ring's slots hold their minute; slots of a week ago hold an older one and drop out of the range.
    public const string JobHistory = """
        SELECT minute / @per AS bucket, sum(completed), sum(failed) FROM leora_job_history
        WHERE minute >= @first GROUP BY bucket
        """;

    // A search: at most @scan rows that pass the indexed filters ({0}, read by keyset on id), then the search's own filters
    // ({2}) on those. {1} is the order.
    // The count of a search, over the same bounded window as its list, stopping at @limit.
    public const string JobSearchCount = "SELECT count(*) FROM (SELECT 1 FROM leora_jobs WHERE id IN (SELECT id FROM leora_jobs WHERE 1 = 1 {0} ORDER BY id {1} LIMIT @scan) {2} LIMIT @limit)";

    public const string JobSearch = "SELECT " + Columns + " FROM leora_jobs WHERE id IN (SELECT id FROM leora_jobs WHERE 1 = 1 {0} ORDER BY id {1} LIMIT @scan) {2} ORDER BY id {1} LIMIT @limit";
}
