using System.Diagnostics;
using System.Text.Json;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Tests;

/// <summary>
/// SQLite for months: beside readers that never leave a gap (a dashboard that always reads, reports) and a stream of
/// writes, the WAL file stays bounded, because the store's own TRUNCATE checkpoints cannot be starved by readers. CI runs
/// 30 seconds; LEORA_SOAK_LONG=1 runs 10 minutes.
/// </summary>
public sealed class SqliteWalTests : IDisposable
{
    // Between two checkpoints the WAL grows by the write rate times the interval: about 10 MB a second at 300 enqueues a
    // second here (each commit writes the row's and its indexes' pages), 26 MiB at most measured with a 1 s interval.
    // Without the store's checkpoints it reached 142 MB after 6,000 writes and kept growing.
    private const long Bound = 64L << 20;
    private const long MinWrites = 6000;
    private readonly TempSqlite _file = new();

    public void Dispose() => _file.Dispose();

    private async Task<SqliteJobStore> MigratedStoreAsync(TimeSpan checkpointInterval)
    {
        var store = new SqliteJobStore(new SqliteJobStoreOptions
        {
            ConnectionString = _file.ConnectionString,
            CheckpointInterval = checkpointInterval,
        }, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    private static TimeSpan Duration => Environment.GetEnvironmentVariable("LEORA_SOAK_LONG") == "1" ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_wal_stays_bounded_beside_readers_that_never_stop_and_a_stream_of_writes()
    {
        var store = await MigratedStoreAsync(TimeSpan.FromSeconds(1));
        var wal = _file.Path_ + "-wal";

        using var stop = new CancellationTokenSource();
        long writes = 0, reads = 0, largest = 0;

        async Task WriteLoopAsync()
        {
            var payload = JsonSerializer.Serialize(new { message = new string('x', 300) });
            // Paced at 150 commits a second per writer (300 in all), the rate the bound is reckoned at: unpaced, a machine
            // that happens to be idle writes twice as much between two checkpoints and the test measures its speed, not
            // the checkpoints (CI once saw 650 a second and an 81 MB WAL with 19 checkpoints completed in 30 s).
            var pace = Stopwatch.StartNew();
            long n = 0;
            while (!stop.IsCancellationRequested)
            {
                var due = TimeSpan.FromSeconds(n++ / 150.0);
                if (pace.Elapsed < due) await Task.Delay(due - pace.Elapsed);
                await store.JobInsertAsync(new JobInsertParams("echo", "default", payload, 0, 3, null, null, null), null, CancellationToken.None);
                Interlocked.Increment(ref writes);
            }
        }

        // Each reader holds its read transaction (its snapshot) for a while, as a slow dashboard query does; started a
        // little apart, four of them leave no moment without a reader.
        async Task ReadLoopAsync(int n)
        {
            await Task.Delay(n * 15);
            await using var c = new SqliteConnection(_file.ConnectionString);
            await c.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var tx = c.BeginTransaction(deferred: true);
                await using (var cmd = c.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = "SELECT count(*), max(id) FROM leora_jobs WHERE status = 'pending'";
                    await cmd.ExecuteScalarAsync();
                }
                await Task.Delay(60);
                await tx.CommitAsync();
                Interlocked.Increment(ref reads);
            }
        }

        var tasks = new List<Task> { Task.Run(WriteLoopAsync), Task.Run(WriteLoopAsync) };
        tasks.AddRange(Enumerable.Range(0, 4).Select(n => Task.Run(() => ReadLoopAsync(n))));
        var run = Stopwatch.StartNew();
        try
        {
            // The largest size the WAL file reaches after a warm-up of five seconds, sampled as it runs.
            // Long enough in time and in writes: 6000 commits of a page or more would take the WAL past the bound if
            // nothing emptied it, whatever the speed of the machine (only a hard limit guards against a hang).
            while ((run.Elapsed < Duration || Interlocked.Read(ref writes) < MinWrites) && run.Elapsed < Duration + TimeSpan.FromMinutes(10))
            {
                await Task.Delay(100);
                if (run.Elapsed > TimeSpan.FromSeconds(5) && File.Exists(wal)) largest = Math.Max(largest, new FileInfo(wal).Length);
                if (tasks.FirstOrDefault(t => t.IsFaulted) is { } failed) await failed;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(tasks).WithTimeout(TimeSpan.FromSeconds(60), "the readers and writers to stop");
        }

        Assert.True(reads > 100, $"only {reads} reads");
        Assert.True(writes >= MinWrites, $"only {writes} writes in {run.Elapsed}");
        Assert.True(largest < Bound, $"the WAL reached {largest / 1024} KiB after {writes} writes and {reads} reads (bound {Bound / 1024} KiB); checkpoints {store.CheckpointCounts} {store.LastCheckpointError?.Message}");

        await using var check = new SqliteConnection(_file.ConnectionString + ";Pooling=false");
        await check.OpenAsync();
        await using var integrity = check.CreateCommand();
        integrity.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await integrity.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_checkpoint_a_reader_held_off_is_tried_again_soon_not_an_interval_later()
    {
        // An interval of an hour: only the quick retry after a checkpoint that gave up can complete one during this test.
        var store = await MigratedStoreAsync(TimeSpan.FromHours(1));
        var payload = JsonSerializer.Serialize(new { n = 1 });
        Task<EnqueueResult> InsertAsync() => store.JobInsertAsync(new JobInsertParams("echo", "default", payload, 0, 3, null, null, null), null, CancellationToken.None);
        await InsertAsync();

        // A reader that holds its snapshot (a WAL frame) until told to stop, then more writes after it.
        await using var reader = new SqliteConnection(_file.ConnectionString);
        await reader.OpenAsync();
        var tx = reader.BeginTransaction(deferred: true);
        await using (var read = reader.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT count(*) FROM leora_jobs";
            Assert.Equal(1L, await read.ExecuteScalarAsync());
        }
        await InsertAsync();

        // The checkpoint is due; the reader holds it off: it gives up, and the next commits try again (200 ms later) and
        // give up again while the reader stays.
        store.MakeCheckpointDue();
        using (var held = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            while (store.CheckpointCounts.Busy < 2)
            {
                Assert.False(held.IsCancellationRequested, $"the checkpoint was not tried twice while the reader held it off: {store.CheckpointCounts}");
                await InsertAsync();
                await Task.Yield();
            }
        }
        Assert.Equal(0, store.CheckpointCounts.Completed);

        // Once the reader ends, the next try completes: long before the hour's interval.
        await tx.CommitAsync();
        await tx.DisposeAsync();
        using (var freed = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            while (store.CheckpointCounts.Completed < 1)
            {
                Assert.False(freed.IsCancellationRequested, $"no checkpoint completed after the reader ended: {store.CheckpointCounts}");
                await InsertAsync();
                await Task.Yield();
            }
        }
        Assert.Equal(0, store.CheckpointCounts.Failed);
    }
}
