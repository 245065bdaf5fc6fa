using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Cancel, delete and cleanup.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task A_cancelled_pending_job_never_runs()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new EchoArgs("never"));
        Assert.Equal(JobCancelResult.Cancelled, await h.Client.CancelAsync(r.Id));
        Assert.Null(await h.Processor.ProcessOneAsync());
        Assert.Empty(h.Recorder.Runs);
        var cancelled = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);
        Assert.True(cancelled.CancelRequested);
        Assert.Equal(JobCancelResult.AlreadyFinished, await h.Client.CancelAsync(r.Id));
        // A retry sends it back to pending with the request cleared.
        Assert.Equal(JobActionResult.Done, await h.Client.RetryAsync(r.Id));
        Assert.False((await h.Client.GetAsync(r.Id))!.CancelRequested);
        Assert.Equal(JobCancelResult.NotFound, await h.Client.CancelAsync(r.Id + 99));
    }

    [Fact]
    public async Task Cancelling_a_running_job_fires_its_token_and_it_ends_cancelled()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new BlockArgs("cancel-me"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("cancel-me").WaitAsync(Wait);
        Assert.Equal(JobCancelResult.CancelRequested, await h.Client.CancelAsync(r.Id));
        var report = await run.WaitAsync(Wait);
        Assert.Equal(JobOutcome.Cancelled, report!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Cancelled, job.Status);
        // Issue 20: the cancelled job says a cancel was asked for (it was false before, which read as "nobody asked").
        Assert.True(job.CancelRequested);
    }

    [Fact]
    public async Task A_cancel_requested_elsewhere_reaches_the_handler_through_its_heartbeat()
    {
        await using var h = await NewAsync(options: o => { o.Lease = TimeSpan.FromSeconds(3); o.HeartbeatInterval = TimeSpan.FromMilliseconds(100); });
        var r = await h.Client.EnqueueAsync(new BlockArgs("remote-cancel"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("remote-cancel").WaitAsync(Wait);
        // The store alone, as another process would: this process's running-job registry is not told.
        Assert.Equal(JobCancelResult.CancelRequested, await h.Store.JobCancelAsync(r.Id, CancellationToken.None));
        Assert.Equal(JobOutcome.Cancelled, (await run.WaitAsync(Wait))!.Outcome);
        Assert.Equal(JobStatus.Cancelled, (await h.Client.GetAsync(r.Id))!.Status);
    }

    [Fact]
    public async Task Delete_removes_a_job_but_not_a_running_one()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new EchoArgs("x"));
        Assert.Equal(JobActionResult.Done, await h.Client.DeleteAsync(r.Id));
        Assert.Null(await h.Client.GetAsync(r.Id));
        Assert.Equal(JobActionResult.NotFound, await h.Client.DeleteAsync(r.Id));
        var running = await h.Client.EnqueueAsync(new EchoArgs("y"));
        await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(1), "w"), CancellationToken.None);
        Assert.Equal(JobActionResult.Conflict, await h.Client.DeleteAsync(running.Id));
    }

    [Fact]
    public async Task Cleanup_deletes_only_finished_jobs_older_than_the_cutoff()
    {
        await using var h = await NewAsync(fakeTime: true);
        for (var i = 0; i < 25; i++) await h.Client.EnqueueAsync(new NoopArgs(i));
        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 25 });
        var cancelled = await h.Client.EnqueueAsync(new EchoArgs("c"));
        await h.Client.CancelAsync(cancelled.Id);
        h.Time!.Advance(TimeSpan.FromDays(31));
        var recent = await h.Client.EnqueueAsync(new EchoArgs("recent"));
        await h.Processor.ProcessOneAsync();
        var pending = await h.Client.EnqueueAsync(new EchoArgs("pending"));

        Assert.Equal(26, await h.Client.CleanupAsync(TimeSpan.FromDays(30)));
        var left = (await h.Client.ListAsync(new JobQuery())).Items.Select(j => j.Id).Order();
        Assert.Equal([recent.Id, pending.Id], left);
        Assert.Equal(0, await h.Client.CleanupAsync(TimeSpan.FromDays(30)));
    }

    [Fact]
    public async Task Cleanup_works_in_bounded_batches()
    {
        await using var h = await NewAsync(fakeTime: true);
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 2500).Select(i => new NoopArgs(i)));
        var rows = await h.Store.JobClaimAsync(new JobClaimParams(null, 2500, TimeSpan.FromMinutes(5), "w"), CancellationToken.None);
        foreach (var row in rows) await h.Store.JobCompleteAsync(new JobCompleteParams(row.Id, row.LockToken!.Value, null), CancellationToken.None);
        h.Time!.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1000, await h.Store.JobDeleteFinishedAsync(TimeSpan.FromDays(1), 1000, CancellationToken.None));
        Assert.Equal(1500, await h.Client.CleanupAsync(TimeSpan.FromDays(1)));
        Assert.Equal(0, (await h.Client.CountByStatusAsync()).Values.Sum());
    }
}
