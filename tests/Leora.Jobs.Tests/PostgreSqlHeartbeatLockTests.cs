using Leora.Jobs.Storage;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// The batched heartbeat on PostgreSQL never waits for a row lock. It used to, and deadlocked with the same process's group
/// completion, which locks many of the same rows in its own order and, finishing a batch's members, waits for the batch's
/// row (issue 14's scale test, WorkflowScaleTests). A row another transaction holds is answered as held and keeps its
/// lease until the next heartbeat.
/// </summary>
public sealed class PostgreSqlHeartbeatLockTests
{
    [Fact]
    public async Task A_batched_heartbeat_does_not_wait_for_a_row_another_transaction_holds()
    {
        await using var h = await Harness.CreateAsync("postgresql");
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new NoopArgs(i)));
        var claimed = await h.Store.JobClaimAsync(new JobClaimParams(null, 3, TimeSpan.FromMinutes(1), "w"), CancellationToken.None);
        Assert.Equal(3, claimed.Count);
        var before = new Dictionary<long, JobRow>();
        foreach (var row in claimed) before[row.Id] = (await h.Store.JobGetAsync(row.Id, CancellationToken.None))!;

        // Another transaction holds the first job's row, as a group completion waiting for a batch's row does.
        await using var connection = new NpgsqlConnection(h.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand($"SELECT 1 FROM \"{h.Schema}\".jobs WHERE id = @id FOR UPDATE", connection, tx))
        {
            hold.Parameters.AddWithValue("id", claimed[0].Id);
            Assert.Equal(1, await hold.ExecuteScalarAsync());
        }

        // Waiting for that transaction would never end here: the test ends it only afterwards.
        var answer = await h.Store.JobHeartbeatManyAsync([.. claimed.Select(r => new JobLease(r.Id, r.LockToken!.Value))],
            TimeSpan.FromMinutes(10), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await tx.RollbackAsync();

        Assert.Equal(3, answer.Count);
        Assert.All(claimed, r => Assert.Equal(JobHeartbeatResult.Extended, answer[r.Id]));
        // The held row kept its lease (one minute from the claim); the others got the new one (ten from the heartbeat).
        Assert.Equal(before[claimed[0].Id], (await h.Store.JobGetAsync(claimed[0].Id, CancellationToken.None))!);
        foreach (var row in claimed.Skip(1))
        {
            var job = (await h.Store.JobGetAsync(row.Id, CancellationToken.None))!;
            Assert.True(job.LockedUntil > before[row.Id].LockedUntil!.Value.AddMinutes(8), $"job {row.Id}: {job.LockedUntil} after {before[row.Id].LockedUntil}");
        }

        // A job that is no longer held is still answered lost (left out), whatever the others' locks.
        Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(claimed[1].Id, claimed[1].LockToken!.Value, null), CancellationToken.None));
        var after = await h.Store.JobHeartbeatManyAsync([.. claimed.Select(r => new JobLease(r.Id, r.LockToken!.Value))],
            TimeSpan.FromMinutes(10), CancellationToken.None);
        Assert.Equal([claimed[0].Id, claimed[2].Id], after.Keys.Order());
    }
}
