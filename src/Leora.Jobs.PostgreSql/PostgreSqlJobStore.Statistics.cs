using System.Diagnostics;
using Npgsql;

namespace Leora.Jobs.PostgreSql;

// Planner statistics of the jobs table while autovacuum has not caught up.
//
// Every hot statement's plan rests on the table's statistics: the claim walks the pending index in order only if the
// planner expects many pending rows, and the batched completion probes jobs by id only if it expects more than a handful
// to be processing. A table without statistics (created by the migration, then filled by a bulk enqueue) or whose
// statistics describe another table (taken when it held ten rows) gets guesses instead: the claim read and sorted every
// pending row (147 ms per claim of 800 against 2 ms), the completion scanned every processing row for each of its 200
// (110 ms). Autovacuum fixes both within a minute or two (autovacuum_naptime), which is the whole of a 100,000-job drain:
// a backlog drained from a fresh table ran at 3,248 jobs/s here, 10,754 with an ANALYZE at its first claim
// (docs/benchmarks.md). A queue's table is the worst case for this: idle most of the time (its statistics say so), then a
// burst of a bulk import. So a worker that claims a batch, and a bulk enqueue of a batch in its own transaction, check the
// statistics (one catalog read, at most every 10 s per store) and analyze the table when it was never analyzed or has
// changed by more than a twentieth of its rows (at least 1,000) since it was: about autovacuum's own rule (50 rows plus
// 10 %), applied within seconds instead of at autovacuum's next round; or when the table has grown by a twentieth in
// pages (the count of changed rows reaches the statistics system up to ten seconds late, and a backlog enqueued beside
// 1,000,000 analyzed rows drained at 4,367 jobs/s until the next check found it). A busy large table is analyzed at
// most every 10 s by each worker process that finds it stale (ANALYZE reads a sample of 30,000 rows, whatever the
// table's size).
public sealed partial class PostgreSqlJobStore
{
    private const int StatisticsMinClaim = 100;
    private static readonly TimeSpan StatisticsCheckInterval = TimeSpan.FromSeconds(10);

    private long _statisticsCheckedAt;
    private int _statisticsChecking;
    private int _statisticsAnalyzed, _statisticsFailed;
    private volatile bool _statisticsRefused;

    /// <summary>ANALYZE runs of the jobs table by this store, and checks that failed; for tests and diagnostics.</summary>
    internal (int Analyzed, int Failed) StatisticsCounts => (_statisticsAnalyzed, _statisticsFailed);
    internal Exception? LastStatisticsError { get; private set; }

    /// <summary>
    /// After a claim or a bulk enqueue: checks the table's statistics in the background when it was a batch (of
    /// <paramref name="rows"/> rows) and the last check is old enough.
    /// </summary>
    private void RequestStatisticsCheck(int rows)
    {
        if (rows < StatisticsMinClaim || _statisticsRefused) return;
        var last = Volatile.Read(ref _statisticsCheckedAt);
        if (last != 0 && Stopwatch.GetElapsedTime(last) < StatisticsCheckInterval) return;
        if (Interlocked.CompareExchange(ref _statisticsChecking, 1, 0) != 0) return;
        _ = Task.Run(async () =>
        {
            try
            {
                if (await AnalyzeIfStaleAsync(CancellationToken.None)) Interlocked.Increment(ref _statisticsAnalyzed);
            }
            catch (Exception ex) when (ex is NpgsqlException or ObjectDisposedException or InvalidOperationException or TimeoutException)
            {
                Interlocked.Increment(ref _statisticsFailed);
                LastStatisticsError = ex;
                // Not the table's owner: autovacuum keeps the statistics, as for any table; stop asking.
                if (ex is PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege }) _statisticsRefused = true;
            }
            finally
            {
                Volatile.Write(ref _statisticsCheckedAt, Stopwatch.GetTimestamp());
                Volatile.Write(ref _statisticsChecking, 0);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// Analyzes the jobs table when it was never analyzed (<c>reltuples</c> -1), has had more rows inserted, updated or
    /// deleted since its last analysis than a twentieth of the rows it held then (and at least 1,000), or has grown by a
    /// twentieth in pages since (and at least 1 MB). Returns whether it ran ANALYZE.
    /// </summary>
    internal Task<bool> AnalyzeIfStaleAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            await using (var check = Command(c, null, PostgreSqlSql.JobsStatistics))
            {
                check.Parameters.AddWithValue("table", _quotedSchema + ".jobs");
                await using var r = await check.ExecuteReaderAsync(cancellationToken);
                if (!await r.ReadAsync(cancellationToken)) return false;
                var tuples = r.GetDouble(0);
                var changed = r.GetInt64(1);
                var (pagesThen, pagesNow) = (r.GetInt64(2), r.GetInt64(3));
                // Grown by a twentieth since (and 1 MB): a backlog just enqueued, before its count reaches the statistics.
                var grown = pagesNow > pagesThen + Math.Max(pagesThen / 20, 128);
                if (tuples >= 0 && changed <= Math.Max(tuples / 20, 1000) && !grown) return false;
            }
            await using var analyze = Command(c, null, PostgreSqlSql.JobsAnalyze);
            analyze.CommandTimeout = 300;
            await analyze.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }, cancellationToken);
}
