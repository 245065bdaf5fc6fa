using Leora.Jobs.PostgreSql;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// An outcome write that PostgreSQL picks as a deadlock's victim is written again (issue 14, found in CI). A completion
/// of a batch member counts its minute in its shard's history row, then, in its trigger, locks the batch's row; a handler
/// adding children to the batch holds the batch's row first and then counts its own completion in the history. Here the
/// test's own transaction plays the second part, so the cycle forms every time: it holds the batch's row, waits until the
/// store's completion waits for it, then asks for every history row of the minute.
/// </summary>
public sealed class PostgreSqlOutcomeDeadlockTests
{
    [Fact]
    public async Task A_completion_chosen_as_a_deadlock_victim_is_written_again()
    {
        await using var database = TestDatabase.Create("postgresql", "dlk");
        var schema = "\"" + database.Schema + "\"";
        // PostgreSQL rolls back the session that finds the cycle, which is the first whose wait reaches deadlock_timeout:
        // the store's sessions look after 5 s, the test's own after a minute, so the store's completion is the victim.
        await using var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions
        {
            ConnectionString = TestPostgres.Require() + ";Options=-c deadlock_timeout=5s",
            Schema = database.Schema!,
        }, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        static JobInsertParams Job(int i) => new("echo", "default", $$"""{"message":"m{{i}}"}""", 0, 3, null, null, null);
        var batch = await store.WorkflowInsertAsync(new WorkflowInsertParams(
            [new WorkflowJobParams(Job(1)) { BatchRole = JobBatchRole.Member }, new WorkflowJobParams(Job(2)) { BatchRole = JobBatchRole.Member }])
        { NewBatch = true }, null, CancellationToken.None);
        var job = Assert.Single(await store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w"), CancellationToken.None));

        await using var test = new NpgsqlConnection(TestPostgres.Require());
        await test.OpenAsync();
        await ExecAsync(test, null, "SET deadlock_timeout = '60s'");
        // Every history row a completion in this minute or the next can count into exists, so the completion updates (and
        // locks) one of them instead of inserting one the test could not see.
        await ExecAsync(test, null, $"""
            INSERT INTO {schema}.job_history (slot, shard, minute, completed, failed)
            SELECT (m % 10200)::integer, s::smallint, m, 0, 0
            FROM (SELECT floor(extract(epoch FROM now()) / 60)::bigint + k AS m FROM generate_series(0, 1) k) t, generate_series(0, 7) s
            ON CONFLICT DO NOTHING
            """);
        var testPid = await ScalarAsync<int>(test, "SELECT pg_backend_pid()");

        await using var observer = new NpgsqlConnection(TestPostgres.Require());
        await observer.OpenAsync();
        var waitingOnTest = $"""
            SELECT count(*) FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' AND {testPid} = ANY(pg_blocking_pids(a.pid))
            """;

        await using var tx = await test.BeginTransactionAsync();
        await ExecAsync(test, tx, $"SELECT 1 FROM {schema}.batches WHERE id = {batch.BatchId} FOR UPDATE");
        var completion = store.JobCompleteAsync(new JobCompleteParams(job.Id, job.LockToken!.Value, null), CancellationToken.None);
        await Eventually.WaitAsync(async () => await ScalarAsync<long>(observer, waitingOnTest) == 1, TimeSpan.FromSeconds(30),
            "the completion to wait for the batch's row");
        // The completion holds its history row: asking for all of them closes the cycle.
        var closing = ExecAsync(test, tx, $"SELECT 1 FROM {schema}.job_history FOR UPDATE");
        await Eventually.WaitAsync(async () => closing.IsCompleted || await ScalarAsync<long>(observer,
                $"SELECT count(*) FROM pg_stat_activity WHERE pid = {testPid} AND wait_event_type = 'Lock'") == 1,
            TimeSpan.FromSeconds(30), "the test's transaction to wait for a history row");
        Assert.False(closing.IsCompleted, "the test's transaction got every history row at once: the completion held none, so no cycle formed");

        await closing.WithTimeout(TimeSpan.FromSeconds(60), "the victim's rollback to free the history row");
        await tx.CommitAsync();
        Assert.True(await completion.WithTimeout(TimeSpan.FromSeconds(60), "the completion written again"));
        var counted = await store.BatchGetAsync(batch.BatchId!.Value, CancellationToken.None);
        Assert.Equal((2, 1, 1), (counted!.Total, counted.Pending, counted.Completed));
    }

    private static async Task ExecAsync(NpgsqlConnection c, NpgsqlTransaction? tx, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c, tx);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
