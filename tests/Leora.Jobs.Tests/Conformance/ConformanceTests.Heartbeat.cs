using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Heartbeat: a running job's lease is extended while it runs, also for jobs a batch claimed ahead.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task A_heartbeat_keeps_a_long_job_from_being_rescued()
    {
        await using var h = await NewAsync(options: o => { o.Lease = TimeSpan.FromSeconds(3); o.HeartbeatInterval = TimeSpan.FromMilliseconds(150); });
        var r = await h.Client.EnqueueAsync(new BlockArgs("long"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("long").WaitAsync(Wait);
        var firstLease = (await h.Client.GetAsync(r.Id))!.LockedUntil!.Value;
        // Well past the first lease: the heartbeat must have moved it, so nothing is rescued.
        await TestSupport.Eventually.WaitAsync(async () => (await h.Client.GetAsync(r.Id))!.LockedUntil > firstLease.AddSeconds(1.5),
            Wait, "the lease to be extended past its first expiry");
        Assert.Equal(0, await h.Processor.RescueExpiredAsync());
        h.Recorder.Open("long");
        Assert.Equal(JobOutcome.Completed, (await run.WaitAsync(Wait))!.Outcome);
        Assert.Equal(1, h.Recorder.RunsOf(r.Id));
    }

    [Fact]
    public async Task One_heartbeat_keeps_running_jobs_and_jobs_a_batch_claimed_ahead()
    {
        await using var h = await NewAsync(options: o => { o.Lease = TimeSpan.FromSeconds(3); o.HeartbeatInterval = TimeSpan.FromMilliseconds(150); });
        var ids = new List<long>();
        foreach (var key in (string[])["ahead-a", "ahead-b", "ahead-c"])
            ids.Add((await h.Client.EnqueueAsync(new BlockArgs(key))).Id);
        // Concurrency 1: the batch claims all three at once (claim-ahead), runs one, and two wait for the slot.
        var batch = h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 3, Concurrency = 1 });
        await h.Recorder.Started("ahead-a").WaitAsync(Wait);
        var first = await Task.WhenAll(ids.Select(id => h.Client.GetAsync(id)));
        Assert.All(first, j => Assert.Equal(JobStatus.Processing, j!.Status));
        // Well past every first lease: the node's heartbeat must have moved the waiting jobs' leases too.
        await TestSupport.Eventually.WaitAsync(async () =>
        {
            var now = await Task.WhenAll(ids.Select(id => h.Client.GetAsync(id)));
            return now.Zip(first).All(p => p.First!.LockedUntil > p.Second!.LockedUntil!.Value.AddSeconds(1.5));
        }, Wait, "every held job's lease to be extended past its first expiry");
        Assert.Equal(0, await h.Processor.RescueExpiredAsync());
        h.Recorder.Open("ahead-a");
        await h.Recorder.Started("ahead-b").WaitAsync(Wait);
        h.Recorder.Open("ahead-b");
        await h.Recorder.Started("ahead-c").WaitAsync(Wait);
        h.Recorder.Open("ahead-c");
        var result = await batch.WaitAsync(Wait);
        Assert.Equal(3, result.Succeeded);
        Assert.All(ids, id => Assert.Equal(1, h.Recorder.RunsOf(id)));
    }

    [Fact]
    public async Task A_batched_heartbeat_extends_held_leases_reports_cancel_requests_and_omits_lost_jobs()
    {
        await using var h = await NewAsync();
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 4).Select(i => new NoopArgs(i)));
        var claimed = await h.Store.JobClaimAsync(new JobClaimParams(null, 4, TimeSpan.FromMinutes(1), "w"), CancellationToken.None);
        Assert.Equal(4, claimed.Count);
        Assert.Equal(JobCancelResult.CancelRequested, await h.Store.JobCancelAsync(claimed[1].Id, CancellationToken.None));
        Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(claimed[3].Id, claimed[3].LockToken!.Value, null), CancellationToken.None));
        var before = new Dictionary<long, JobRow>();
        foreach (var row in claimed) before[row.Id] = (await h.Store.JobGetAsync(row.Id, CancellationToken.None))!;

        var answer = await h.Store.JobHeartbeatManyAsync(
        [
            new JobLease(claimed[0].Id, claimed[0].LockToken!.Value),
            new JobLease(claimed[1].Id, claimed[1].LockToken!.Value),
            new JobLease(claimed[2].Id, Guid.NewGuid()), // lost: another token holds it now
            new JobLease(claimed[3].Id, claimed[3].LockToken!.Value), // lost: already finished
        ], TimeSpan.FromMinutes(10), CancellationToken.None);

        Assert.Equal(2, answer.Count);
        Assert.Equal(JobHeartbeatResult.Extended, answer[claimed[0].Id]);
        Assert.Equal(JobHeartbeatResult.CancelRequested, answer[claimed[1].Id]);
        foreach (var held in new[] { claimed[0], claimed[1] })
        {
            var job = (await h.Store.JobGetAsync(held.Id, CancellationToken.None))!;
            // The first lease was one minute from the claim, the new one ten from the heartbeat.
            Assert.True(job.LockedUntil > before[held.Id].LockedUntil!.Value.AddMinutes(8), $"job {held.Id}: {job.LockedUntil} after {before[held.Id].LockedUntil}");
            Assert.Equal(JobStatus.Processing, job.Status);
            Assert.Equal(held.LockToken, job.LockToken);
        }
        foreach (var lost in new[] { claimed[2], claimed[3] })
            Assert.Equal(before[lost.Id], (await h.Store.JobGetAsync(lost.Id, CancellationToken.None))!);
        Assert.Empty(await h.Store.JobHeartbeatManyAsync([], TimeSpan.FromMinutes(10), CancellationToken.None));
    }
}
