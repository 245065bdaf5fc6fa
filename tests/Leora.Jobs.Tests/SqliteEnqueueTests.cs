using System.Globalization;
using System.Text.Json;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Tests;

/// <summary>
/// The SQLite store's enqueue paths: group commit of concurrent single enqueues (each caller answered after its own
/// commit, idempotency as if sequential, a failing row or group never reported as written) and the bulk insert.
/// Every check reads the database file again through a fresh connection after the store is gone.
/// </summary>
public sealed class SqliteEnqueueTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly TempSqlite _file = new();

    public void Dispose() => _file.Dispose();

    private async Task<SqliteJobStore> NewStoreAsync()
    {
        var store = new SqliteJobStore(new SqliteJobStoreOptions { ConnectionString = _file.ConnectionString }, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    private static JobInsertParams Job(string message, string? key = null, TimeSpan? delay = null, DateTimeOffset? runAt = null) =>
        new("echo", "default", JsonSerializer.Serialize(new { message }), 0, 3, runAt, delay, key);

    /// <summary>Every job row in the file, read through a new connection (the store's pool cleared first): id → (message, key, run_at).</summary>
    private async Task<Dictionary<long, (string Message, string? Key, long RunAt)>> RowsInFileAsync()
    {
        SqliteConnection.ClearAllPools();
        await using var c = new SqliteConnection(_file.ConnectionString);
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, json_extract(payload, '$.message'), idempotency_key, run_at FROM leora_jobs";
        var rows = new Dictionary<long, (string, string?, long)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(r.GetInt64(0), (r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3)));
        return rows;
    }

    /// <summary>
    /// Takes SQLite's write lock on the file from another connection, so that the store's next write waits for it:
    /// the first enqueue becomes the writer and blocks, those after it queue for one group.
    /// </summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var c = new SqliteConnection(_file.ConnectionString);
        await c.OpenAsync();
        await using var begin = c.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync();
        return c;
    }

    private static async Task ReleaseWriteLockAsync(SqliteConnection holder)
    {
        await using (var rollback = holder.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }
        await holder.DisposeAsync();
    }

    private static async Task ExecAsync(SqliteJobStore store, string sql)
    {
        await using var c = await store.OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A trigger that raises <paramref name="raise"/> (SQLite's RAISE arguments) on inserting the payload "poison".</summary>
    private static Task PoisonAsync(SqliteJobStore store, string raise) => ExecAsync(store, $"""
        CREATE TRIGGER poison BEFORE INSERT ON leora_jobs WHEN json_extract(NEW.payload, '$.message') = 'poison'
        BEGIN SELECT RAISE({raise}); END
        """);

    /// <summary>Holds the write lock while <see cref="QueueOneGroupAsync"/> queues one group, then lets it be written.</summary>
    private async Task<(Task<EnqueueResult> Leader, Task<EnqueueResult>[] Group)> QueueOneGroupBehindLockAsync(
        SqliteJobStore store, JobInsertParams leader, IReadOnlyList<JobInsertParams> queued)
    {
        var holder = await HoldWriteLockAsync();
        try
        {
            return await QueueOneGroupAsync(store, leader, queued);
        }
        finally
        {
            await ReleaseWriteLockAsync(holder);
        }
    }

    /// <summary>Starts the leader (blocked on the held lock) and then <paramref name="queued"/>, and waits until all of those are queued for one group.</summary>
    private static async Task<(Task<EnqueueResult> Leader, Task<EnqueueResult>[] Group)> QueueOneGroupAsync(
        SqliteJobStore store, JobInsertParams leader, IReadOnlyList<JobInsertParams> queued)
    {
        var first = Task.Run(() => store.JobInsertAsync(leader, null, CancellationToken.None));
        // The leader has left the queue (it is writing, blocked on the lock) before the others are started.
        await Eventually.WaitAsync(() => Task.FromResult(store.EnqueueGroupWriting && store.QueuedEnqueueCount == 0), Wait, "the leader to take its row");
        var group = queued.Select(j => store.JobInsertAsync(j, null, CancellationToken.None)).ToArray();
        await Eventually.WaitAsync(() => Task.FromResult(store.QueuedEnqueueCount), n => n == queued.Count, Wait, "the group to queue");
        Assert.False(first.IsCompleted);
        Assert.All(group, t => Assert.False(t.IsCompleted));
        return (first, group);
    }

    [Fact]
    public async Task Concurrent_single_enqueues_get_distinct_ids_and_sequential_idempotency_and_are_all_in_the_file()
    {
        const int calls = 200, tasks = 8;
        var results = new (int Call, string? Key, EnqueueResult Result)[calls];
        using (var store = await NewStoreAsync())
        {
            await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
            {
                for (var call = t; call < calls; call += tasks)
                {
                    // Every 4th call repeats one of 10 keys, from several tasks at once.
                    var key = call % 4 == 0 ? $"key-{call % 10}" : null;
                    results[call] = (call, key, await store.JobInsertAsync(Job($"m{call}", key), null, CancellationToken.None));
                }
            }))).WithTimeout(Wait, "200 enqueues");
        }

        var keyed = results.Where(r => r.Key is not null).GroupBy(r => r.Key!).ToList();
        Assert.Equal(5, keyed.Count); // call % 4 == 0 gives even calls, so call % 10 is one of 0, 2, 4, 6, 8
        foreach (var sameKey in keyed)
        {
            Assert.Single(sameKey, r => !r.Result.Existing);
            Assert.Single(sameKey.Select(r => r.Result.Id).Distinct());
        }
        var created = results.Where(r => !r.Result.Existing).ToList();
        Assert.Equal(150 + 5, created.Count);
        Assert.Equal(created.Count, created.Select(r => r.Result.Id).Distinct().Count());

        var rows = await RowsInFileAsync();
        Assert.Equal(created.Count, rows.Count);
        foreach (var (call, key, result) in created)
        {
            Assert.True(rows.TryGetValue(result.Id, out var row), $"job {result.Id} of call {call} is not in the file");
            Assert.Equal($"m{call}", row.Message);
            Assert.Equal(key, row.Key);
        }
    }

    [Fact]
    public async Task Queued_enqueues_share_one_commit_and_repeated_keys_behave_as_if_sequential()
    {
        using var store = await NewStoreAsync();
        var q = await QueueOneGroupBehindLockAsync(store, Job("leader", "k"),
                [Job("a"), Job("b", "k"), Job("c", "n"), Job("d", "n"), Job("e", delay: TimeSpan.FromHours(1))]);
        var leader = await q.Leader.WithTimeout(Wait, "the leader");
        var group = await Task.WhenAll(q.Group).WithTimeout(Wait, "the group");

        Assert.False(leader.Existing);
        Assert.Equal([false, true, false, true, false], group.Select(r => r.Existing));
        Assert.Equal(leader.Id, group[1].Id); // the key taken by the leader's earlier commit
        Assert.Equal(group[2].Id, group[3].Id); // a key first used within the same group
        var rows = await RowsInFileAsync();
        Assert.Equal(["a", "c", "e", "leader"], rows.Values.Select(r => r.Message).Order());
        Assert.Equal("c", rows[group[2].Id].Message);
        var e = rows[group[4].Id];
        Assert.InRange(e.RunAt - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 3_500_000, 3_600_000);
    }

    [Fact]
    public async Task A_row_that_fails_in_a_group_fails_only_its_caller_and_is_not_written()
    {
        using var store = await NewStoreAsync();
        // A trigger that aborts the insert of one payload: the statement fails, the transaction stays usable.
        await PoisonAsync(store, "ABORT, 'poisoned payload'");
        var q = await QueueOneGroupBehindLockAsync(store, Job("leader"), [Job("a"), Job("poison", "p"), Job("b", "p"), Job("c")]);
        await q.Leader.WithTimeout(Wait, "the leader");
        var failure = await Assert.ThrowsAsync<SqliteException>(() => q.Group[1].WithTimeout(Wait, "the poisoned call"));
        Assert.Contains("poisoned payload", failure.Message, StringComparison.Ordinal);
        var a = await q.Group[0];
        var b = await q.Group[2];
        var c = await q.Group[3];
        // The poisoned row took its key with it: the next caller with that key creates the job, as it would have after a failed call.
        Assert.False(b.Existing);

        var rows = await RowsInFileAsync();
        Assert.Equal(["a", "b", "c", "leader"], rows.Values.Select(r => r.Message).Order());
        Assert.Equal("a", rows[a.Id].Message);
        Assert.Equal(("b", "p"), (rows[b.Id].Message, rows[b.Id].Key));
        Assert.Equal("c", rows[c.Id].Message);
    }

    [Fact]
    public async Task When_the_database_rolls_a_group_back_every_caller_of_it_gets_the_error_and_nothing_of_it_is_written()
    {
        using var store = await NewStoreAsync();
        // RAISE(ROLLBACK) makes SQLite roll back the whole transaction, as it does on an I/O error or a full disk.
        await PoisonAsync(store, "ROLLBACK, 'transaction rolled back'");
        var q = await QueueOneGroupBehindLockAsync(store, Job("leader"), [Job("a", "ka"), Job("poison"), Job("c")]);
        var leader = await q.Leader.WithTimeout(Wait, "the leader");
        foreach (var call in q.Group)
        {
            var error = await Assert.ThrowsAsync<SqliteException>(() => call.WithTimeout(Wait, "a call of the failed group"));
            Assert.Contains("transaction rolled back", error.Message, StringComparison.Ordinal);
        }
        // The store is usable afterwards, and the key of the rolled-back row is free again.
        var again = await store.JobInsertAsync(Job("a again", "ka"), null, CancellationToken.None);
        Assert.False(again.Existing);

        var rows = await RowsInFileAsync();
        Assert.Equal(["a again", "leader"], rows.Values.Select(r => r.Message).Order());
        Assert.Equal("leader", rows[leader.Id].Message);
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_queued_is_withdrawn_and_its_row_never_written()
    {
        using var store = await NewStoreAsync();
        var holder = await HoldWriteLockAsync();
        using var cts = new CancellationTokenSource();
        Task<EnqueueResult> leader, kept, withdrawn;
        try
        {
            leader = Task.Run(() => store.JobInsertAsync(Job("leader"), null, CancellationToken.None));
            await Eventually.WaitAsync(() => Task.FromResult(store.EnqueueGroupWriting && store.QueuedEnqueueCount == 0), Wait, "the leader to take its row");
            withdrawn = store.JobInsertAsync(Job("withdrawn"), null, cts.Token);
            kept = store.JobInsertAsync(Job("kept"), null, CancellationToken.None);
            await Eventually.WaitAsync(() => Task.FromResult(store.QueuedEnqueueCount), n => n == 2, Wait, "two queued calls");
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn.WithTimeout(Wait, "the withdrawn call"));
            Assert.Equal(1, store.QueuedEnqueueCount);
        }
        finally
        {
            await ReleaseWriteLockAsync(holder);
        }
        var l = await leader.WithTimeout(Wait, "the leader");
        var k = await kept.WithTimeout(Wait, "the kept call");

        var rows = await RowsInFileAsync();
        Assert.Equal(["kept", "leader"], rows.Values.Select(r => r.Message).Order());
        Assert.Equal("leader", rows[l.Id].Message);
        Assert.Equal("kept", rows[k.Id].Message);
    }

    [Fact]
    public async Task Bulk_insert_returns_ids_in_input_order_with_run_at_and_keys_as_given()
    {
        var runAt = new DateTimeOffset(2030, 5, 1, 8, 0, 0, TimeSpan.Zero);
        var jobs = Enumerable.Range(0, 12_000).Select(i => i switch
        {
            7 => Job("m7", "dup"),
            11_000 => Job("m11000", "dup"),
            500 => Job("m500", runAt: runAt),
            _ => Job($"m{i}"),
        }).ToList();
        IReadOnlyList<EnqueueResult> results;
        using (var store = await NewStoreAsync())
        {
            results = await store.JobInsertManyAsync(jobs, null, CancellationToken.None);
            // The raised page cache is handed back: the pooled connection has the default again.
            await using var c = await store.OpenConnectionAsync();
            await using var cache = c.CreateCommand();
            cache.CommandText = "PRAGMA cache_size";
            Assert.Equal(-2000L, Convert.ToInt64(await cache.ExecuteScalarAsync(), CultureInfo.InvariantCulture));
        }

        Assert.Equal(jobs.Count, results.Count);
        Assert.True(results[11_000].Existing);
        Assert.Equal(results[7].Id, results[11_000].Id);
        var created = results.Where(r => !r.Existing).Select(r => r.Id).ToList();
        Assert.Equal(created.Count, created.Distinct().Count());
        var rows = await RowsInFileAsync();
        Assert.Equal(jobs.Count - 1, rows.Count);
        for (var i = 0; i < jobs.Count; i++)
            if (i != 11_000) Assert.Equal($"m{i}", rows[results[i].Id].Message);
        Assert.Equal(runAt.ToUnixTimeMilliseconds(), rows[results[500].Id].RunAt);
    }
}
