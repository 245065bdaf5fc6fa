using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>
/// Job types this process has no handler for (an application's own types, or a type a rolling deploy has not reached
/// yet): claims leave them pending and untouched, with no attempt used, and stats name them (issue 20, point 3).
/// </summary>
public abstract partial class ConformanceTests
{
    // Written straight to the store: the client refuses a type it does not know, as it should; another process enqueued it.
    private static async Task<long> InsertForeignJobAsync(Harness h, string kind = "send_welcome_email") =>
        (await h.Store.JobInsertAsync(new JobInsertParams(kind, "default", "{}", 5, 5, null, null, null), null, CancellationToken.None)).Id;

    [Fact]
    public async Task A_claim_by_types_takes_only_those_types_in_claim_order()
    {
        await using var h = await NewAsync();
        var foreign = await InsertForeignJobAsync(h);
        var echo = (await h.Client.EnqueueAsync(new EchoArgs("e"))).Id;
        var noop = (await h.Client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Priority = 1 })).Id;
        var rows = await h.Store.JobClaimAsync(new JobClaimParams(null, 10, TimeSpan.FromMinutes(1), "w") { Kinds = ["echo", "noop"] }, CancellationToken.None);
        Assert.Equal([noop, echo], rows.Select(r => r.Id));
        var byQueue = await h.Store.JobClaimAsync(new JobClaimParams("default", 10, TimeSpan.FromMinutes(1), "w") { Kinds = ["echo"] }, CancellationToken.None);
        Assert.Empty(byQueue);
        var none = await h.Store.JobClaimAsync(new JobClaimParams(null, 10, TimeSpan.FromMinutes(1), "w") { Kinds = [] }, CancellationToken.None);
        Assert.Empty(none);
        var job = (await h.Client.GetAsync(foreign))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(0, job.Attempts);
    }

    [Fact]
    public async Task A_batch_leaves_a_job_of_an_unknown_type_pending_with_no_attempt_used_and_stats_name_the_type()
    {
        await using var h = await NewAsync();
        var foreign = await InsertForeignJobAsync(h);
        var known = await h.Client.EnqueueAsync(new EchoArgs("known"));
        var batch = await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });
        Assert.Equal([known.Id], batch.Jobs.Select(j => j.Id));
        Assert.Equal(JobStatus.Completed, (await h.Client.GetAsync(known.Id))!.Status);
        Assert.Null(await h.Processor.ProcessOneAsync());
        var job = (await h.Client.GetAsync(foreign))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(0, job.Attempts);
        Assert.Empty(job.Errors);
        Assert.Equal(["send_welcome_email"], (await h.Client.StatsAsync()).TypesWithoutWorker);
    }

    [Fact]
    public async Task The_worker_leaves_a_job_of_an_unknown_type_pending_with_no_attempt_used()
    {
        await using var h = await NewAsync(configure: b => b.AddWorker(o => o.PollInterval = TimeSpan.FromMilliseconds(100)));
        var foreign = await InsertForeignJobAsync(h);
        var worker = h.Services.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            // Enqueued after the foreign job, with a lower priority: the worker has passed over the foreign one by the time it runs this.
            var known = await h.Client.EnqueueAsync(new EchoArgs("after"), new EnqueueOptions { Priority = -1 });
            await TestSupport.Eventually.WaitAsync(async () => (await h.Client.GetAsync(known.Id))!.Status == JobStatus.Completed, Wait, "the known job");
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
        var job = (await h.Client.GetAsync(foreign))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(0, job.Attempts);
    }

    [Fact]
    public async Task A_type_a_live_node_knows_is_not_without_a_worker_and_a_silent_nodes_types_do_not_count()
    {
        await using var h = await NewAsync(fakeTime: true);
        await InsertForeignJobAsync(h);
        await InsertForeignJobAsync(h, "resize_image");
        // The application's worker (another process) says which types it has handlers for.
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("app-worker", "*", 4, 0) { Kinds = """["send_welcome_email"]""" }, CancellationToken.None);
        Assert.Equal(["resize_image"], (await h.Client.StatsAsync()).TypesWithoutWorker);

        // A node of an earlier release does not say: it claims every type, so none is said to have no worker.
        await h.Store.NodeHeartbeatAsync(new NodeHeartbeatParams("old-worker", "*", 4, 0), CancellationToken.None);
        Assert.Empty((await h.Client.StatsAsync()).TypesWithoutWorker);

        // Both fall silent (missed heartbeats): what they knew no longer counts.
        h.Time!.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(["resize_image", "send_welcome_email"], (await h.Client.StatsAsync()).TypesWithoutWorker);
    }

    [Fact]
    public async Task A_worker_heartbeats_the_types_it_has_handlers_for()
    {
        await using var h = await NewAsync(configure: b => b.AddWorker(o => o.PollInterval = TimeSpan.FromMilliseconds(100)));
        var worker = h.Services.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            var node = (await Eventually.WaitAsync(async () => (await h.Store.NodeListAsync(CancellationToken.None)).SingleOrDefault(n => n.Name == worker.NodeName),
                n => n is not null, Wait, "the worker's first heartbeat"))!;
            var kinds = System.Text.Json.JsonSerializer.Deserialize<string[]>(node.Kinds!)!;
            Assert.Contains(EchoArgs.Kind, kinds);
            Assert.Contains(NoopArgs.Kind, kinds);
            Assert.DoesNotContain("send_welcome_email", kinds);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }
}
