using Leora.Jobs.PostgreSql;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// Issue 16: the PostgreSQL claim walks the pending index in order whatever the table holds, and a worker gives a jobs
/// table without statistics some at its first batch claim. Before, with one job type and one queue in the table (a
/// bench's backlog, or a young deployment), the claim's exclusions (<c>kind &lt;&gt; ALL(limits)</c>) were estimated to
/// keep no row, and the planner read and sorted every pending row for each claim; and a table never analyzed got the
/// same plan until autovacuum came by (docs/benchmarks.md: a fresh backlog drained at 3,248 jobs/s, 11,540 now).
/// </summary>
public sealed class PostgreSqlClaimPlanTests
{
    private static JobInsertParams Job(int i) => new("echo", "default", $$"""{"message":"m{{i}}"}""", 0, 3, null, null, null);

    private static PostgreSqlJobStore Store(TestDatabase database) => new(new PostgreSqlJobStoreOptions
    {
        ConnectionString = TestPostgres.Require(),
        Schema = database.Schema!,
    }, TimeProvider.System);

    [Fact]
    public async Task The_claim_walks_the_pending_index_in_order_when_every_row_is_of_one_type_and_queue()
    {
        await using var database = TestDatabase.Create("postgresql", "cplan");
        await using (var store = Store(database))
        {
            await store.MigrateAsync(CancellationToken.None);
            for (var n = 0; n < 4; n++) await store.JobInsertManyAsync([.. Enumerable.Range(n * 5000, 5000).Select(Job)], null, CancellationToken.None);
        }
        await using var c = new NpgsqlConnection(TestPostgres.Require());
        await c.OpenAsync();
        await using (var analyze = new NpgsqlCommand($"ANALYZE \"{database.Schema}\".jobs", c)) await analyze.ExecuteNonQueryAsync();

        foreach (var byKinds in (bool[])[false, true])
        {
            var sql = PostgreSqlSql.JobClaimFor(byQueue: false, byKinds).Replace("{s}", $"\"{database.Schema}\"", StringComparison.Ordinal);
            await using var tx = await c.BeginTransactionAsync();
            await using var explain = new NpgsqlCommand("EXPLAIN " + sql, c, tx);
            explain.Parameters.Add(new NpgsqlParameter("now", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = DBNull.Value });
            explain.Parameters.AddWithValue("lease_ms", 300_000L);
            explain.Parameters.AddWithValue("worker", "plan-test");
            explain.Parameters.AddWithValue("limit", 800);
            if (byKinds) explain.Parameters.AddWithValue("kinds", new[] { "echo", "other" });
            var plan = new List<string>();
            await using (var r = await explain.ExecuteReaderAsync())
                while (await r.ReadAsync()) plan.Add(r.GetString(0));
            await tx.RollbackAsync();
            var shown = string.Join(" | ", plan);
            Assert.DoesNotContain(plan, step => step.TrimStart().StartsWith("->  Sort", StringComparison.Ordinal) || step.Contains("Seq Scan on jobs", StringComparison.Ordinal));
            Assert.True(plan.Any(step => step.Contains("Index Scan using jobs_pending on jobs", StringComparison.Ordinal)), $"the pending index walked in order: {shown}");
        }
    }

    [Fact]
    public async Task A_worker_analyzes_a_jobs_table_without_statistics_at_its_first_batch_claim()
    {
        await using var database = TestDatabase.Create("postgresql", "cstat");
        await using var store = Store(database);
        await store.MigrateAsync(CancellationToken.None);
        // In calls below the batch size that makes a bulk enqueue look (the enqueue's own check is the next test's).
        foreach (var chunk in Enumerable.Range(0, 3000).Chunk(75))
            await store.JobInsertManyAsync([.. chunk.Select(Job)], null, CancellationToken.None);
        Assert.True(await ReltuplesAsync(database) < 0, "a new table has never been analyzed");

        // A claim of a single job does not look; a batch claim does, and analyzes the table in the background.
        Assert.Single(await store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w"), CancellationToken.None));
        Assert.Equal(200, (await store.JobClaimAsync(new JobClaimParams(null, 200, TimeSpan.FromMinutes(5), "w"), CancellationToken.None)).Count);
        await AnalyzedAsync(store);
        Assert.Equal(3000, await ReltuplesAsync(database));

        // Fresh statistics are left alone.
        Assert.False(await store.AnalyzeIfStaleAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_bulk_enqueue_analyzes_a_jobs_table_without_statistics_before_any_worker_claims()
    {
        await using var database = TestDatabase.Create("postgresql", "cstat");
        await using var store = Store(database);
        await store.MigrateAsync(CancellationToken.None);
        // Inside a caller's transaction nothing is committed yet: no check.
        await using (var c = new NpgsqlConnection(TestPostgres.Require()))
        {
            await c.OpenAsync();
            await using var tx = await c.BeginTransactionAsync();
            await store.JobInsertManyAsync([.. Enumerable.Range(0, 200).Select(Job)], tx, CancellationToken.None);
            await tx.CommitAsync();
        }
        Assert.Equal((0, 0), store.StatisticsCounts);

        await store.JobInsertManyAsync([.. Enumerable.Range(0, 3000).Select(Job)], null, CancellationToken.None);
        await AnalyzedAsync(store);
        Assert.Equal(3200, await ReltuplesAsync(database));
    }

    /// <summary>Waits (up to a minute) for the store's background check to have analyzed the table, failing on its error.</summary>
    private static async Task AnalyzedAsync(PostgreSqlJobStore store)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (store.StatisticsCounts.Analyzed == 0)
        {
            Assert.False(wait.IsCancellationRequested, $"no ANALYZE: {store.StatisticsCounts} {store.LastStatisticsError?.Message}");
            Assert.Null(store.LastStatisticsError);
            await Task.Delay(20);
        }
    }

    private static async Task<double> ReltuplesAsync(TestDatabase database)
    {
        await using var c = new NpgsqlConnection(TestPostgres.Require());
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT reltuples::float8 FROM pg_class WHERE oid = @t::regclass", c);
        cmd.Parameters.AddWithValue("t", $"\"{database.Schema}\".jobs");
        return (double)(await cmd.ExecuteScalarAsync())!;
    }
}
