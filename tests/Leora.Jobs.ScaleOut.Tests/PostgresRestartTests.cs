using Leora.Jobs.TestSupport;

namespace Leora.Jobs.ScaleOut.Tests;

/// <summary>
/// PostgreSQL restarted under load. The test runs its own throwaway cluster, so restarting it cannot disturb the other
/// test assemblies that share the CI cluster.
/// </summary>
public sealed class PostgresRestartTests
{
    [Fact]
    public async Task Workers_survive_a_database_restart_and_nothing_is_lost()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var total = ScaleOutDatabase.Long ? 20_000 : 1_500;
        await using var db = await ScaleOutDatabase.CreateAsync(cluster.ConnectionString);
        await db.EnqueueAsync(total);
        var workers = Enumerable.Range(0, 2).Select(i => WorkerProcess.Start(db.Connection, db.Schema, $"node-{i}", handlerMs: 5, leaseMs: 15000)).ToList();
        try
        {
            await Task.WhenAll(workers.Select(w => w.Ready)).WithTimeout(TimeSpan.FromSeconds(60), "two workers to start");
            await Eventually.WaitAsync(db.CompletedAsync, n => n >= total / 5, TimeSpan.FromSeconds(120), "a fifth of the jobs to complete");

            await cluster.RestartAsync();
            Npgsql.NpgsqlConnection.ClearAllPools();

            await Eventually.WaitAsync(async () =>
            {
                try { return await db.CompletedAsync(); }
                catch (Npgsql.NpgsqlException) { return -1; }
            }, n => n == total, TimeSpan.FromSeconds(180), "every job to complete after the restart");
            Assert.Equal(total, await db.ScalarAsync("SELECT count(*) FROM {s}.jobs"));
            Assert.Equal(total, await db.ScalarAsync("SELECT count(DISTINCT job_id) FROM {s}.runs"));
            Assert.All(workers, w => Assert.False(w.HasExited));
        }
        finally
        {
            foreach (var w in workers) await w.DisposeAsync();
        }
    }
}
