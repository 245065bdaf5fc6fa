using Leora.Jobs.Storage;
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
}
