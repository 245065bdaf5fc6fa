using System.Text.Json;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The CLI's part in reliability: every enqueue carries an idempotency key (so a retry stores the job once), and
/// <c>backup</c> writes a consistent, checked copy of a SQLite database that is being written to meanwhile.
/// </summary>
public sealed class CliReliabilityTests : CliTestBase
{
    [Fact]
    public async Task Enqueue_without_a_key_sends_one_of_its_own_and_replies_with_the_stored_job()
    {
        var first = Json(await RunAsync("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--json"));
        var second = Json(await RunAsync("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--json"));
        var key = first.GetProperty("idempotencyKey").GetString();
        Assert.StartsWith("cli-", key, StringComparison.Ordinal);
        // One key per command run: two runs are two jobs.
        Assert.NotEqual(key, second.GetProperty("idempotencyKey").GetString());
        Assert.NotEqual(first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64());
        var status = Json(await RunAsync("status", $"{first.GetProperty("id").GetInt64()}", "--json"));
        Assert.Equal(key, status.GetProperty("idempotencyKey").GetString());
    }

    [Fact]
    public async Task Backup_writes_a_consistent_checked_copy_while_jobs_are_being_written_and_the_store_opens_it()
    {
        var store = new SqliteJobStore(new SqliteJobStoreOptions { ConnectionString = Db.ConnectionString }, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None);
        var payload = JsonSerializer.Serialize(new { url = Receiver.IpUrl("/ok") });
        JobInsertParams Job() => new("webhook", "default", payload, 0, 3, null, TimeSpan.FromHours(1), null);
        for (var i = 0; i < 500; i++) await store.JobInsertAsync(Job(), null, CancellationToken.None);

        // A writer that keeps enqueueing while the backup runs, as a service and its workers would.
        using var stop = new CancellationTokenSource();
        long written = 500;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await store.JobInsertAsync(Job(), null, CancellationToken.None);
                Interlocked.Increment(ref written);
            }
        });
        var target = Path.Combine(Db.Directory, "backups", "copy.db");
        ProcessRunner.Result r;
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(Interlocked.Read(ref written)), n => n > 600, TimeSpan.FromSeconds(60), "the writer to run");
            r = await RunAsync("backup", target, "--json");
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
        var reply = Json(r);
        Assert.Equal("ok", reply.GetProperty("integrity").GetString());
        Assert.False(File.Exists(target + ".partial"));
        var copied = reply.GetProperty("jobs").GetInt64();
        Assert.InRange(copied, 500, Interlocked.Read(ref written));

        // The copy is one self-contained file (no WAL beside it) that the store opens as a current database.
        Assert.False(File.Exists(target + "-wal") && new FileInfo(target + "-wal").Length > 0);
        var copy = new SqliteJobStore(new SqliteJobStoreOptions { ConnectionString = $"Data Source={target}" }, TimeProvider.System);
        var (applied, latest) = await copy.MigrationVersionAsync(CancellationToken.None);
        Assert.Equal(latest, applied);
        Assert.Equal(copied, (await copy.JobCountByStatusAsync(CancellationToken.None)).Values.Sum());

        // Never over an existing file.
        var again = await RunAsync("backup", target);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
    }
}
