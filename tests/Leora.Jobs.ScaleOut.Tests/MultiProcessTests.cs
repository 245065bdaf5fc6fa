using System.Diagnostics;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.ScaleOut.Tests;

/// <summary>
/// Several worker processes on one PostgreSQL schema: kill -9 and graceful stop under load, leader failover.
/// Short in CI; set LEORA_SCALEOUT_LONG=1 for the 50,000 jobs.
/// </summary>
public sealed class MultiProcessTests
{
    [Fact]
    public async Task Four_workers_drain_the_queue_while_one_is_killed_and_one_stopped_gracefully()
    {
        var total = ScaleOutDatabase.Long ? 50_000 : 2_000;
        await using var db = await ScaleOutDatabase.CreateAsync();
        await db.EnqueueAsync(total);
        // The lease is long enough to outlast stalls of a loaded CI machine (a live worker whose heartbeat is late loses its
        // jobs to a rescue, correctly, but then they run twice), and short enough for the killed worker's jobs to come back.
        var workers = Enumerable.Range(0, 4).Select(i => WorkerProcess.Start(db.Connection, db.Schema, $"node-{i}", handlerMs: 5, leaseMs: 15000)).ToList();
        try
        {
            await Task.WhenAll(workers.Select(w => w.Ready)).WithTimeout(TimeSpan.FromSeconds(60), "four workers to start");
            await Eventually.WaitAsync(db.CompletedAsync, n => n >= total / 4, TimeSpan.FromSeconds(120), "a quarter of the jobs to complete");

            var killed = workers[0];
            await killed.KillAsync();
            await workers[1].TerminateAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, workers[1].ExitCode);

            await Eventually.WaitAsync(db.CompletedAsync, n => n == total, TimeSpan.FromSeconds(ScaleOutDatabase.Long ? 600 : 120), "every job to complete");

            Assert.Equal(total, await db.ScalarAsync("SELECT count(*) FROM {s}.jobs"));
            Assert.Equal(total, await db.CompletedAsync());
            // Every job's handler ran.
            Assert.Equal(total, await db.ScalarAsync("SELECT count(DISTINCT job_id) FROM {s}.runs"));
            // A handler ran twice only for a job whose first run was in the killed process.
            var twice = await db.TextAsync($"""
                SELECT string_agg(x.job_id || ' pids ' || x.pids || ' errors ' || j.errors::text, E'\n')
                FROM (SELECT job_id, string_agg(pid::text, ',') AS pids FROM {"{s}"}.runs GROUP BY job_id
                      HAVING count(*) > 1 AND NOT bool_or(pid = {killed.Pid})) x JOIN {"{s}"}.jobs j ON j.id = x.job_id
                """);
            Assert.True(twice is null, $"ran twice without the killed worker ({killed.Pid}; graceful {workers[1].Pid}):\n{twice}\n" +
                string.Join('\n', workers.Select(w => $"worker {w.Pid} log:\n{w.Log}")));
            // Attempts: one per run, plus one for a job claimed by the killed worker before its handler recorded the run;
            // every extra attempt was rescued from the killed worker (its error says LeaseExpired), none was lost to a
            // graceful stop (the graceful node finished its jobs within the grace period).
            Assert.Equal(0, await db.ScalarAsync("""
                SELECT count(*) FROM {s}.jobs j
                WHERE j.attempts > 1 AND NOT (j.errors @> '[{"type": "LeaseExpired", "worker": "node-0"}]')
                """));
            Assert.Equal(0, await db.ScalarAsync("""
                SELECT count(*) FROM {s}.jobs j
                WHERE j.attempts < (SELECT count(*) FROM {s}.runs r WHERE r.job_id = j.id)
                """));
            // The gracefully stopped node said goodbye; the killed one is removed by the leader once its heartbeat is stale.
            await Eventually.WaitAsync(async () => (await db.Store.NodeListAsync(CancellationToken.None)).Select(n => n.Name).Order().ToArray(),
                names => names.SequenceEqual(["node-2", "node-3"]), TimeSpan.FromSeconds(30), "only the two live nodes to be listed");
        }
        finally
        {
            foreach (var w in workers) await w.DisposeAsync();
        }
    }

    [Fact]
    public async Task When_the_leader_dies_another_node_takes_over_maintenance_within_the_lease()
    {
        const int heartbeatMs = 200, leaderLeaseMs = 1500;
        await using var db = await ScaleOutDatabase.CreateAsync();
        var workers = Enumerable.Range(0, 2).Select(i => WorkerProcess.Start(db.Connection, db.Schema, $"node-{i}", nodeHeartbeatMs: heartbeatMs, leaderLeaseMs: leaderLeaseMs)).ToList();
        try
        {
            await Task.WhenAll(workers.Select(w => w.Ready)).WithTimeout(TimeSpan.FromSeconds(60), "two workers to start");
            var nodes = await Eventually.WaitAsync(() => db.Store.NodeListAsync(CancellationToken.None),
                list => list.Count == 2 && list.Count(n => n.IsLeader) == 1, TimeSpan.FromSeconds(30), "two nodes, one leader");
            var leaderName = nodes.Single(n => n.IsLeader).Name;
            var leader = workers[leaderName == "node-0" ? 0 : 1];
            var other = leaderName == "node-0" ? "node-1" : "node-0";

            var sw = Stopwatch.StartNew();
            await leader.KillAsync();
            await Eventually.WaitAsync(() => db.Store.NodeListAsync(CancellationToken.None),
                list => list.Any(n => n.Name == other && n.IsLeader), TimeSpan.FromSeconds(30), $"{other} to lead");
            var takeover = sw.Elapsed;
            // The lease runs out at most leaderLease after the dead leader's last renewal; the survivor asks every
            // heartbeat. The slack covers a loaded CI machine.
            Assert.True(takeover < TimeSpan.FromMilliseconds(leaderLeaseMs + 2 * heartbeatMs + 3000), $"took over after {takeover.TotalMilliseconds:0} ms");

            // The new leader does the maintenance: a job finished longer ago than the retention (1 hour) is pruned.
            await db.ScalarAsync("""
                WITH i AS (INSERT INTO {s}.jobs (kind, queue, status, payload, attempts, max_attempts, completed_at)
                           VALUES ('scaleout', 'default', 'completed', '{"n": 0}', 1, 1, now() - interval '2 hours') RETURNING id)
                SELECT count(*) FROM i
                """);
            await Eventually.WaitAsync(() => db.ScalarAsync("SELECT count(*) FROM {s}.jobs"), n => n == 0, TimeSpan.FromSeconds(30), "the old finished job to be pruned");
            // And the dead leader's node row goes once its heartbeat is stale.
            await Eventually.WaitAsync(() => db.Store.NodeListAsync(CancellationToken.None),
                list => list.Count == 1 && list[0].Name == other, TimeSpan.FromSeconds(30), "the dead node to be removed");
        }
        finally
        {
            foreach (var w in workers) await w.DisposeAsync();
        }
    }
}
