namespace Leora.Jobs.Tests;

/// <summary>Full stack: the batch processor (client, processor and store together).</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task A_batch_runs_up_to_max_jobs_concurrently_and_reports_each()
    {
        await using var h = await NewAsync();
        for (var i = 0; i < 3; i++) await h.Client.EnqueueAsync(new BlockArgs($"b{i}"));
        await h.Client.EnqueueAsync(new FailArgs(-1));
        for (var i = 0; i < 4; i++) await h.Client.EnqueueAsync(new EchoArgs($"e{i}"));
        var progress = new List<JobRunReport>();
        var batch = h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 6, Concurrency = 3, Progress = new ListProgress(progress) });
        // All three blockers run at once: a serial batch would never start the second.
        await Task.WhenAll(h.Recorder.Started("b0"), h.Recorder.Started("b1"), h.Recorder.Started("b2")).WaitAsync(Wait);
        for (var i = 0; i < 3; i++) h.Recorder.Open($"b{i}");
        var result = await batch.WaitAsync(Wait);
        Assert.Equal(6, result.Processed);
        Assert.Equal(5, result.Succeeded);
        Assert.Equal(1, result.Retried);
        Assert.Equal(6, result.Jobs.Select(j => j.Id).Distinct().Count());
        Assert.Equal(result.Jobs, progress);
        // Two never claimed, plus the one waiting to retry.
        Assert.Equal(3, (await h.Client.CountByStatusAsync())[JobStatus.Pending]);
    }

    [Fact]
    public async Task A_batch_hands_back_the_jobs_it_claimed_ahead_but_had_no_time_to_start()
    {
        await using var h = await NewAsync(fakeTime: true);
        var blocking = await h.Client.EnqueueAsync(new BlockArgs("budget"), new EnqueueOptions { Priority = 1 });
        var rest = await h.Client.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new NoopArgs(i)));
        var batch = h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 4, Concurrency = 1, MaxDuration = TimeSpan.FromSeconds(10) });
        await h.Recorder.Started("budget").WaitAsync(Wait);
        Assert.All(await Task.WhenAll(rest.Select(r => h.Client.GetAsync(r.Id))), j => Assert.Equal(JobStatus.Processing, j!.Status));
        // The time budget runs out while the first job still runs; the three waiting jobs were never started.
        h.Time!.Advance(TimeSpan.FromSeconds(11));
        h.Recorder.Open("budget");
        var result = await batch.WaitAsync(Wait);
        Assert.Equal(1, result.Processed);
        Assert.Equal(blocking.Id, Assert.Single(result.Jobs).Id);
        foreach (var r in rest)
        {
            var job = (await h.Client.GetAsync(r.Id))!;
            Assert.Equal(JobStatus.Pending, job.Status);
            Assert.Equal(0, job.Attempts);
            Assert.Null(job.LockedUntil);
            Assert.Empty(job.Errors);
            Assert.Equal(0, h.Recorder.RunsOf(r.Id));
        }
        // Handed back, they are due at once for the next batch.
        Assert.Equal(3, (await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 })).Succeeded);
    }
}
