using Leora.Jobs.Sqlite;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Tests;

/// <summary>
/// DESIGN.md invariant 8 on SQLite: a claim reads the partial index on pending jobs in order and stops at its limit; it
/// never sorts the backlog. Checked on the plan SQLite makes for the store's own claim statement, on a file the store
/// migrated and filled, with no ANALYZE statistics (as in production, where nothing runs ANALYZE).
/// </summary>
public sealed class SqliteClaimPlanTests : IDisposable
{
    private readonly TempSqlite _file = new();

    public void Dispose() => _file.Dispose();

    // byKinds: the claim of a worker, which takes only the types it has handlers for (issue 20). The type filter is
    // checked on the rows the index yields, in index order, so the plan must still read the index and sort nothing.
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task The_claim_reads_the_pending_index_in_order_and_never_sorts_the_backlog(bool byQueue, bool byKinds)
    {
        using (var store = new SqliteJobStore(new SqliteJobStoreOptions { ConnectionString = _file.ConnectionString }, TimeProvider.System))
        {
            await store.MigrateAsync(CancellationToken.None);
            await store.JobInsertManyAsync([.. Enumerable.Range(0, 2_000).Select(i =>
                new Storage.JobInsertParams("echo", i % 2 == 0 ? "default" : "mail", "{\"message\":\"m\"}", i % 3, 3, null, null, null))],
                null, CancellationToken.None);
        }
        SqliteConnection.ClearAllPools();
        await using var c = new SqliteConnection(_file.ConnectionString);
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "EXPLAIN QUERY PLAN " + SqliteSql.JobClaimFor(byQueue, byKinds);
        foreach (var (name, value) in (ReadOnlySpan<(string, object)>)[("@now", 1L), ("@lease_ms", 1L), ("@worker", "w"), ("@limit", 10L), ("@queue", "mail"), ("@kinds", "[\"echo\",\"noop\"]")])
            cmd.Parameters.AddWithValue(name, value);
        var plan = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) plan.Add(r.GetString(3));

        var expected = byQueue ? SqliteSql.JobClaimQueueIndex : SqliteSql.JobClaimIndex;
        var shown = string.Join(" | ", plan);
        // "USING INDEX x" or "USING COVERING INDEX x", and x itself, not leora_jobs_pending_queue for leora_jobs_pending.
        Assert.True(plan.Any(step => System.Text.RegularExpressions.Regex.IsMatch(step, "USING (COVERING )?INDEX " + expected + "( |$)")),
            "the pending index is read: " + shown);
        Assert.False(plan.Any(step => step.Contains("TEMP B-TREE", StringComparison.Ordinal)), "nothing is sorted: " + shown);
    }
}
