using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests.Maintenance;

/// <summary>Pruning happens only on the maintenance leader, whether the node runs a worker or only the leader's maintenance.</summary>
public abstract class PrunerLeadershipTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(100);

    protected abstract string Provider { get; }

    private static Action<LeoraJobsBuilder> Worker(TimeSpan retention) => b => b.AddWorker(o =>
    {
        o.Concurrency = 2;
        o.PollInterval = TimeSpan.FromMilliseconds(100);
        o.NodeHeartbeatInterval = Heartbeat;
        o.LeaderLease = TimeSpan.FromSeconds(20);
        o.Retention = retention;
        o.PruneInterval = Heartbeat;
    });

    private static async Task<long> CompletedAsync(IJobClient client) =>
        (await client.CountByStatusAsync()).GetValueOrDefault(JobStatus.Completed);

    [Fact]
    public async Task A_follower_does_not_prune_and_prunes_once_it_takes_over_from_a_stopped_leader()
    {
        await using var db = SharedDatabase.Create(Provider);
        // The leader keeps a day of finished jobs, the follower none: every job this test finishes is old enough for the
        // follower, so a follower that pruned would delete them while the leader leads.
        ServiceProvider? a = await db.StartNodeAsync("node-a", Worker(TimeSpan.FromDays(1)));
        ServiceProvider? b = null;
        try
        {
            var store = a.GetRequiredService<IJobStore>();
            var client = a.GetRequiredService<IJobClient>();
            await Eventually.WaitAsync(() => store.NodeListAsync(CancellationToken.None),
                l => l.Any(n => n.Name == "node-a" && n.IsLeader), Wait, "node-a to lead");
            b = await db.StartNodeAsync("node-b", Worker(TimeSpan.FromMilliseconds(1)));

            await client.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new NoopArgs(i)));
            await Eventually.WaitAsync(() => CompletedAsync(client), n => n == 5, Wait, "5 jobs completed");

            // The follower's node heartbeat and its pruner tick at the same interval: once the database has seen five more
            // heartbeats of node-b, its pruner has had about as many chances to prune.
            var seen = await Eventually.WaitAsync(() => store.NodeListAsync(CancellationToken.None),
                l => l.Any(n => n.Name == "node-b"), Wait, "node-b to register");
            var first = seen.Single(n => n.Name == "node-b").HeartbeatAt;
            await Eventually.WaitAsync(() => store.NodeListAsync(CancellationToken.None),
                l => l.Single(n => n.Name == "node-b").HeartbeatAt >= first + 5 * Heartbeat, Wait, "five more heartbeats of node-b");

            Assert.Equal(5, await CompletedAsync(client));
            var nodes = await store.NodeListAsync(CancellationToken.None);
            Assert.True(nodes.Single(n => n.Name == "node-a").IsLeader);
            Assert.False(b.GetRequiredService<JobNodeState>().IsLeader);

            // The leader stops (and resigns): the follower takes over and prunes.
            await SharedDatabase.StopNodeAsync(a);
            a = null;
            store = b.GetRequiredService<IJobStore>();
            await Eventually.WaitAsync(() => store.NodeListAsync(CancellationToken.None),
                l => l.Count == 1 && l[0] is { Name: "node-b", IsLeader: true }, Wait, "node-b to lead alone");
            var bClient = b.GetRequiredService<IJobClient>();
            await Eventually.WaitAsync(() => CompletedAsync(bClient), n => n == 0, Wait, "the new leader to prune the finished jobs");
        }
        finally
        {
            if (a is not null) await SharedDatabase.StopNodeAsync(a);
            if (b is not null) await SharedDatabase.StopNodeAsync(b);
        }
    }

    [Fact]
    public async Task A_host_without_a_worker_elects_and_prunes_without_registering_as_a_node()
    {
        await using var db = SharedDatabase.Create(Provider);
        var api = await db.StartNodeAsync("api-only", b => b.AddPruning(TimeSpan.FromMilliseconds(1), Heartbeat).Services
            .Configure<JobWorkerOptions>(o => { o.NodeHeartbeatInterval = Heartbeat; o.LeaderLease = TimeSpan.FromSeconds(20); }));
        try
        {
            var store = api.GetRequiredService<IJobStore>();
            var client = api.GetRequiredService<IJobClient>();
            Assert.False(api.GetRequiredService<JobNodeState>().HasWorker);
            await Eventually.WaitAsync(() => Task.FromResult(api.GetRequiredService<JobNodeState>().IsLeader), Wait, "the API-only host to lead");
            // The lease is the API-only host's (another holder cannot take it), and the nodes table does not list it.
            Assert.False(await store.LeaderElectAsync("someone-else", TimeSpan.FromSeconds(20), CancellationToken.None));
            Assert.Empty(await store.NodeListAsync(CancellationToken.None));

            await client.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new NoopArgs(i)));
            var batch = await api.GetRequiredService<IJobProcessor>().ProcessBatchAsync(new BatchOptions { MaxJobs = 3 });
            Assert.Equal(3, batch.Succeeded);
            await Eventually.WaitAsync(async () => (await client.CountByStatusAsync()).Values.Sum(), n => n == 0, Wait, "the leader to prune the finished jobs");
        }
        finally
        {
            await SharedDatabase.StopNodeAsync(api);
        }
        // Stopping resigned: another holder takes the lease at once.
        await using var probe = await db.StartNodeAsync("probe", _ => { });
        Assert.True(await probe.GetRequiredService<IJobStore>().LeaderElectAsync("someone-else", TimeSpan.FromSeconds(20), CancellationToken.None));
    }

    [Fact]
    public async Task In_a_host_with_a_worker_and_pruning_the_leadership_lasts_until_the_worker_stops()
    {
        // Both hosts run the container's one elector and one pruner. The host stops the pruning's hosted service (registered
        // last) before the worker: it must leave them to the worker, which resigns only after its jobs' grace.
        await using var db = SharedDatabase.Create(Provider);
        var node = await db.StartNodeAsync("both", b =>
        {
            Worker(TimeSpan.FromDays(1))(b);
            b.AddPruning(TimeSpan.FromDays(1), Heartbeat);
        });
        var stopped = false;
        try
        {
            var store = node.GetRequiredService<IJobStore>();
            var state = node.GetRequiredService<JobNodeState>();
            Assert.True(state.HasWorker);
            await Eventually.WaitAsync(() => Task.FromResult(state.IsLeader), Wait, "the node to lead");

            var hosted = node.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
            Assert.IsType<Leora.Jobs.Maintenance.LeaderMaintenance>(hosted[^1]);
            await hosted[^1].StopAsync(CancellationToken.None);

            Assert.True(state.IsLeader, "stopping the pruning's hosted service resigned the worker's leadership");
            Assert.False(await store.LeaderElectAsync("someone-else", TimeSpan.FromSeconds(20), CancellationToken.None));

            await SharedDatabase.StopNodeAsync(node);
            stopped = true;
            Assert.False(state.IsLeader);
            await using var probe = await db.StartNodeAsync("probe", _ => { });
            Assert.True(await probe.GetRequiredService<IJobStore>().LeaderElectAsync("someone-else", TimeSpan.FromSeconds(20), CancellationToken.None));
        }
        finally
        {
            if (!stopped) await SharedDatabase.StopNodeAsync(node);
        }
    }
}

public sealed class SqlitePrunerLeadershipTests : PrunerLeadershipTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgreSqlPrunerLeadershipTests : PrunerLeadershipTests
{
    protected override string Provider => "postgresql";
}
