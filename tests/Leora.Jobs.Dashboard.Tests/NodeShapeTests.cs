using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// The two JSON shapes of a worker node, pinned byte for byte: the HTTP API's (<c>nodes</c> in <c>GET /api/jobs/stats</c>)
/// and the dashboard's (<c>GET {prefix}/api/nodes</c>). Registered, silent, leading, all-queue and older-version nodes, a
/// worker known only by the job it runs, and this process, on a stopped clock so every time and age is fixed.
/// </summary>
public sealed class NodeShapeTests
{
    // In the future: the dashboard's session cookie expires by this clock, and the HTTP client checks it by the real one.
    private static readonly DateTimeOffset Start = new(2040, 1, 15, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_API_and_the_dashboard_send_the_same_node_JSON_as_before()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await DashboardHost.StartAsync(
            configureBuilder: b =>
            {
                b.Services.AddSingleton<TimeProvider>(time);
                b.Services.AddLeoraJobsApi();
            },
            configureApp: app => app.MapGroup("/api/jobs").MapLeoraJobsApi());
        var store = host.Services.GetRequiredService<IJobStore>();

        // worker-b registered at 10:00 and fell silent; worker-a registered at 10:00:30; both others heartbeat at 10:01.
        await store.NodeHeartbeatAsync(new NodeHeartbeatParams("worker-b", "mail,reports", 2, 1), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        await store.NodeHeartbeatAsync(new NodeHeartbeatParams("worker-a", "*", 4, 0), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        await store.NodeHeartbeatAsync(new NodeHeartbeatParams("worker-a", "*", 4, 1), CancellationToken.None);
        await store.NodeHeartbeatAsync(new NodeHeartbeatParams("worker-c", "", 1, 0), CancellationToken.None);
        Assert.True(await store.LeaderElectAsync("worker-a", TimeSpan.FromSeconds(30), CancellationToken.None));

        // A job run by worker-a (with progress), and one by a batch worker that never registers.
        var onA = (await host.Client.EnqueueAsync(new EchoArgs("a"))).Id;
        var claimedByA = Assert.Single(await store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "worker-a"), CancellationToken.None));
        Assert.Equal(onA, claimedByA.Id);
        Assert.True(await store.JobProgressAsync(new JobProgressParams(onA, claimedByA.LockToken!.Value, 40, "half"), CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(2.5));
        var onBatch = (await host.Client.EnqueueAsync(new ReportArgs(Guid.Empty, "pdf", 2026, false))).Id;
        Assert.Single(await store.JobClaimAsync(new JobClaimParams("reports", 1, TimeSpan.FromMinutes(5), "batch:7"), CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(1.25));

        using var api = new HttpClient { BaseAddress = host.Root };
        api.DefaultRequestHeaders.Add("x-api-key", host.FullKey);
        using var stats = JsonDocument.Parse(await api.GetStringAsync("/api/jobs/stats"));
        Assert.Equal(
            """[{"name":"worker-a","queues":null,"concurrency":4,"running":1,"startedAt":"2040-01-15T10:00:30+00:00","heartbeatAt":"2040-01-15T10:01:00+00:00","heartbeatAgeSeconds":3.75,"leader":true,"silent":false},""" +
            """{"name":"worker-b","queues":["mail","reports"],"concurrency":2,"running":1,"startedAt":"2040-01-15T10:00:00+00:00","heartbeatAt":"2040-01-15T10:00:00+00:00","heartbeatAgeSeconds":63.75,"leader":false,"silent":true},""" +
            """{"name":"worker-c","queues":null,"concurrency":1,"running":0,"startedAt":"2040-01-15T10:01:00+00:00","heartbeatAt":"2040-01-15T10:01:00+00:00","heartbeatAgeSeconds":3.75,"leader":false,"silent":false}]""",
            stats.RootElement.GetProperty("nodes").GetRawText());

        using var dashboard = await host.SignedInClientAsync(host.ReadOnlyKey);
        Assert.Equal(
            """{"nodes":[{"name":"web-1","thisProcess":true,"working":false,"concurrency":null,"queues":null,"startedAt":null,"lastSeen":null,"silent":false,"isLeader":false,"running":[]},""" +
            """{"name":"batch:7","thisProcess":false,"working":true,"concurrency":null,"queues":null,"startedAt":null,"lastSeen":null,"silent":false,"isLeader":false,""" +
            $$"""
            "running":[{"id":{{onBatch}},"type":"report","queue":"reports","progress":null,"startedAt":"2040-01-15T10:01:02.5+00:00"}]},
            """.Trim() +
            """{"name":"worker-a","thisProcess":false,"working":true,"concurrency":4,"queues":"*","startedAt":"2040-01-15T10:00:30+00:00","lastSeen":"2040-01-15T10:01:00+00:00","silent":false,"isLeader":true,""" +
            $$"""
            "running":[{"id":{{onA}},"type":"echo","queue":"default","progress":40,"startedAt":"2040-01-15T10:01:00+00:00"}]},
            """.Trim() +
            """{"name":"worker-b","thisProcess":false,"working":true,"concurrency":2,"queues":"mail,reports","startedAt":"2040-01-15T10:00:00+00:00","lastSeen":"2040-01-15T10:00:00+00:00","silent":true,"isLeader":false,"running":[]},""" +
            """{"name":"worker-c","thisProcess":false,"working":true,"concurrency":1,"queues":null,"startedAt":"2040-01-15T10:01:00+00:00","lastSeen":"2040-01-15T10:01:00+00:00","silent":false,"isLeader":false,"running":[]}]}""",
            await dashboard.GetStringAsync("api/nodes"));
    }
}
