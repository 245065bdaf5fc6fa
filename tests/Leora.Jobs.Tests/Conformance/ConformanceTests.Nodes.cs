using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Nodes and the maintenance leader: the store methods behind node heartbeats and leader election.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task A_node_heartbeat_registers_then_refreshes_the_node_and_delete_removes_it()
    {
        await using var h = await NewAsync(fakeTime: true);
        var t0 = h.Time!.GetUtcNow();
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("node-b", "*", 4, 0), CancellationToken.None);
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("node-a", "mail,default", 2, 1), CancellationToken.None);

        var nodes = await h.Store.NodeListAsync(CancellationToken.None);
        Assert.Equal(["node-a", "node-b"], nodes.Select(n => n.Name));
        Assert.Equal(new NodeRow("node-a", t0, t0, "mail,default", 2, 1, false), nodes[0]);
        Assert.Equal(new NodeRow("node-b", t0, t0, "*", 4, 0, false), nodes[1]);

        // A later beat refreshes what the node serves and runs, and keeps when it started.
        h.Time.Advance(TimeSpan.FromSeconds(15));
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("node-a", "*", 8, 5), CancellationToken.None);
        var a = (await h.Store.NodeListAsync(CancellationToken.None))[0];
        Assert.Equal(new NodeRow("node-a", t0, t0.AddSeconds(15), "*", 8, 5, false), a);

        await h.Store.NodeDeleteAsync("node-a", CancellationToken.None);
        await h.Store.NodeDeleteAsync("no-such-node", CancellationToken.None);
        Assert.Equal(["node-b"], (await h.Store.NodeListAsync(CancellationToken.None)).Select(n => n.Name));
    }

    [Fact]
    public async Task Deleting_stale_nodes_removes_only_those_and_returns_the_count()
    {
        await using var h = await NewAsync(fakeTime: true);
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("old-1", "*", 1, 0), CancellationToken.None);
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("old-2", "*", 1, 0), CancellationToken.None);
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("alive", "*", 1, 0), CancellationToken.None);
        h.Time!.Advance(TimeSpan.FromMinutes(2));
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("alive", "*", 1, 0), CancellationToken.None);
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("new", "*", 1, 0), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(2, await h.Store.NodeDeleteStaleAsync(TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(["alive", "new"], (await h.Store.NodeListAsync(CancellationToken.None)).Select(n => n.Name));
        Assert.Equal(0, await h.Store.NodeDeleteStaleAsync(TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(2, (await h.Store.NodeListAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task The_node_list_marks_the_holder_of_an_unexpired_leader_lease()
    {
        await using var h = await NewAsync(fakeTime: true);
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("node-a", "*", 1, 0), CancellationToken.None);
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("node-b", "*", 1, 0), CancellationToken.None);
        Assert.True(await h.Store.LeaderElectAsync("node-b", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal([false, true], (await h.Store.NodeListAsync(CancellationToken.None)).Select(n => n.IsLeader));

        h.Time!.Advance(TimeSpan.FromSeconds(31));
        Assert.All(await h.Store.NodeListAsync(CancellationToken.None), n => Assert.False(n.IsLeader));

        Assert.True(await h.Store.LeaderElectAsync("node-a", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal([true, false], (await h.Store.NodeListAsync(CancellationToken.None)).Select(n => n.IsLeader));
        await h.Store.LeaderResignAsync("node-a", CancellationToken.None);
        Assert.All(await h.Store.NodeListAsync(CancellationToken.None), n => Assert.False(n.IsLeader));
    }

    // Moved from the scale-out project's InProcessWorkerTests (a store-level test, so it belongs to the suite).
    [Fact]
    public async Task Leader_election_is_exclusive_until_the_lease_expires()
    {
        await using var h = await NewAsync();
        Assert.True(await h.Store.LeaderElectAsync("x", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.False(await h.Store.LeaderElectAsync("y", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.True(await h.Store.LeaderElectAsync("x", TimeSpan.FromSeconds(30), CancellationToken.None));
        await h.Store.LeaderResignAsync("y", CancellationToken.None); // not the holder: no effect
        Assert.False(await h.Store.LeaderElectAsync("y", TimeSpan.FromSeconds(30), CancellationToken.None));
        await h.Store.LeaderResignAsync("x", CancellationToken.None);
        Assert.True(await h.Store.LeaderElectAsync("y", TimeSpan.FromMilliseconds(1), CancellationToken.None));
        await TestSupport.Eventually.WaitAsync(() => h.Store.LeaderElectAsync("x", TimeSpan.FromSeconds(30), CancellationToken.None),
            TimeSpan.FromSeconds(10), "x to take the expired lease");
    }

    [Fact]
    public async Task A_leader_lease_is_taken_over_only_after_it_expires_and_the_holder_extends_it()
    {
        await using var h = await NewAsync(fakeTime: true);
        Assert.True(await h.Store.LeaderElectAsync("x", TimeSpan.FromSeconds(30), CancellationToken.None));
        h.Time!.Advance(TimeSpan.FromSeconds(20));
        // The holder's renewal runs the lease from now: 20 s + 30 s.
        Assert.True(await h.Store.LeaderElectAsync("x", TimeSpan.FromSeconds(30), CancellationToken.None));
        h.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(await h.Store.LeaderElectAsync("y", TimeSpan.FromSeconds(30), CancellationToken.None));
        h.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(await h.Store.LeaderElectAsync("y", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.False(await h.Store.LeaderElectAsync("x", TimeSpan.FromSeconds(30), CancellationToken.None));
    }
}
