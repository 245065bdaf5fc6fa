using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The nodes panel's data with a real worker running in the host.</summary>
public sealed class NodesTests
{
    [Fact]
    public async Task This_process_shows_its_registered_worker_leadership_and_the_job_it_is_running()
    {
        await using var host = await DashboardHost.StartAsync(workerConcurrency: 3);
        using var client = await host.SignedInClientAsync(host.ReadOnlyKey);

        var id = (await host.Client.EnqueueAsync(new GateArgs("nodes"))).Id;
        await host.Gate.Started.Task.WithTimeout(TimeSpan.FromSeconds(15), "the worker to start the gated job");
        var nodes = await Eventually.WaitAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>("api/nodes")).GetProperty("nodes"),
            n => n[0].GetProperty("running").GetArrayLength() == 1 && n[0].GetProperty("running")[0].GetProperty("progress").ValueKind == JsonValueKind.Number,
            TimeSpan.FromSeconds(15), "the running job and its progress on this node");
        var self = Assert.Single(nodes.EnumerateArray());
        Assert.Equal(DashboardHost.WorkerName, self.GetProperty("name").GetString());
        Assert.True(self.GetProperty("thisProcess").GetBoolean());
        Assert.True(self.GetProperty("working").GetBoolean());
        Assert.Equal(3, self.GetProperty("concurrency").GetInt32());

        // The worker registers itself in the nodes table and, alone, becomes the maintenance leader.
        self = await Eventually.WaitAsync(
            async () => (await client.GetFromJsonAsync<JsonElement>("api/nodes")).GetProperty("nodes")[0],
            n => n.GetProperty("lastSeen").ValueKind == JsonValueKind.String && n.GetProperty("isLeader").GetBoolean(),
            TimeSpan.FromSeconds(15), "the node's heartbeat and leadership");
        Assert.False(self.GetProperty("silent").GetBoolean());
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>("api/nodes")).GetProperty("nodes").GetArrayLength());
        var running = self.GetProperty("running")[0];
        Assert.Equal(id, running.GetProperty("id").GetInt64());
        Assert.Equal("gated_import", running.GetProperty("type").GetString());
        Assert.Equal(40, running.GetProperty("progress").GetInt32());

        host.Gate.Open.TrySetResult();
        await Eventually.WaitAsync(async () => (await host.Client.GetAsync(id))!.Status == JobStatus.Completed, TimeSpan.FromSeconds(15), "the job to complete");
        nodes = (await client.GetFromJsonAsync<JsonElement>("api/nodes")).GetProperty("nodes");
        Assert.Equal(0, nodes[0].GetProperty("running").GetArrayLength());
    }

    [Fact]
    public async Task Nodes_registered_by_other_processes_are_listed_after_this_one()
    {
        await using var host = await DashboardHost.StartAsync();
        var store = host.Services.GetRequiredService<IJobStore>();
        await store.NodeHeartbeatAsync(new NodeHeartbeatParams("worker-b", "mail", 8, 0), CancellationToken.None);
        await store.NodeHeartbeatAsync(new NodeHeartbeatParams("worker-a", "", 2, 0), CancellationToken.None);
        using var client = await host.SignedInClientAsync(host.FullKey);

        var nodes = (await client.GetFromJsonAsync<JsonElement>("api/nodes")).GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal([DashboardHost.WorkerName, "worker-a", "worker-b"], nodes.Select(n => n.GetProperty("name").GetString()));
        Assert.False(nodes[0].GetProperty("working").GetBoolean());
        Assert.Equal(JsonValueKind.Null, nodes[1].GetProperty("queues").ValueKind);
        Assert.Equal("mail", nodes[2].GetProperty("queues").GetString());
        Assert.Equal(8, nodes[2].GetProperty("concurrency").GetInt32());
        Assert.False(nodes[2].GetProperty("thisProcess").GetBoolean());
        Assert.Equal(JsonValueKind.String, nodes[2].GetProperty("lastSeen").ValueKind);
    }
}
