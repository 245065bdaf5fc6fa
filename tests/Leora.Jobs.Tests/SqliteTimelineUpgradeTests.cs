using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Tests;

/// <summary>
/// Migration 13 on a SQLite file of schema 12, whose triggers wrote a row for every claim and completion: those rows stay,
/// the timeline shows each event once, and jobs running across the upgrade finish with a timeline in order.
/// </summary>
public sealed class SqliteTimelineUpgradeTests : IDisposable
{
    private readonly TempSqlite _file = new();

    public void Dispose() => _file.Dispose();

    private SqliteJobStore Store() => new(new SqliteJobStoreOptions { ConnectionString = _file.ConnectionString }, TimeProvider.System);

    private static async Task<IReadOnlyList<JobEventKind>> TimelineAsync(SqliteJobStore store, long id)
    {
        var stored = await store.JobEventListAsync(id, CancellationToken.None);
        return [.. JobTimeline.Of((await store.JobGetAsync(id, CancellationToken.None))!, stored).Select(e => e.Kind)];
    }

    [Fact]
    public async Task Claim_and_completion_rows_written_at_schema_12_are_shown_once_and_running_jobs_finish_in_order_after_migration_13()
    {
        var ids = new long[3];
        var tokens = new Dictionary<long, Guid>();
        using (var old = Store())
        {
            await old.MigrateAsync(12, CancellationToken.None);
            for (var i = 0; i < 3; i++)
                ids[i] = (await old.JobInsertAsync(new JobInsertParams("echo", "default", "{}", 0, 3, null, null, null), null, CancellationToken.None)).Id;
            foreach (var j in await old.JobClaimAsync(new JobClaimParams(null, 3, TimeSpan.FromMinutes(5), "w-old"), CancellationToken.None))
                tokens[j.Id] = j.LockToken!.Value;
            Assert.True(await old.JobCompleteAsync(new JobCompleteParams(ids[0], tokens[ids[0]], null), CancellationToken.None));
            Assert.Equal(JobCancelResult.CancelRequested, await old.JobCancelAsync(ids[1], CancellationToken.None));
            Assert.Equal([JobEventKind.Claimed, JobEventKind.Completed], (await old.JobEventListAsync(ids[0], CancellationToken.None)).Select(e => e.Kind));
        }

        using var store = Store();
        await store.MigrateAsync(CancellationToken.None);
        Assert.Equal(13, (await store.MigrationVersionAsync(CancellationToken.None)).Applied);
        // Completed before the upgrade: its two rows, each shown once.
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Completed], await TimelineAsync(store, ids[0]));
        // Asked to stop before the upgrade, stopped after it: no second claim row.
        Assert.True(await store.JobFailAsync(new JobFailParams(ids[1], tokens[ids[1]],
            """{"attempt":1,"message":"stopped","type":"OperationCanceledException","stackTrace":null,"at":"2026-01-01T12:00:00+00:00","worker":"w-old"}""",
            null, JobStatus.Cancelled), CancellationToken.None));
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.CancelRequested, JobEventKind.Cancelled], await TimelineAsync(store, ids[1]));
        // Running across the upgrade: its old claim row, then the completion from the row.
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed], await TimelineAsync(store, ids[2]));
        Assert.True(await store.JobCompleteAsync(new JobCompleteParams(ids[2], tokens[ids[2]], null), CancellationToken.None));
        Assert.Equal([JobEventKind.Claimed], (await store.JobEventListAsync(ids[2], CancellationToken.None)).Select(e => e.Kind));
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Completed], await TimelineAsync(store, ids[2]));
    }
}
