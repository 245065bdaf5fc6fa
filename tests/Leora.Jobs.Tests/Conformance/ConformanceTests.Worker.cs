using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>Full stack: the long-running worker (client, worker and store together).</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task The_worker_drains_the_queue_and_stops_gracefully()
    {
        await using var h = await NewAsync(configure: b => b.AddWorker(o => { o.Concurrency = 4; o.PollInterval = TimeSpan.FromMilliseconds(200); }));
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 300).Select(i => new NoopArgs(i)));
        var worker = h.Services.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        await TestSupport.Eventually.WaitAsync(async () => (await h.Client.CountByStatusAsync())[JobStatus.Completed] == 300, Wait, "300 jobs completed");
        // An enqueue in this process wakes the idle worker.
        var late = await h.Client.EnqueueAsync(new EchoArgs("late"));
        await TestSupport.Eventually.WaitAsync(async () => (await h.Client.GetAsync(late.Id))!.Status == JobStatus.Completed, Wait, "the late job");
        await worker.StopAsync(CancellationToken.None);
        Assert.Equal(301, h.Recorder.Runs.Count);
        Assert.Equal(301, h.Recorder.Runs.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public async Task Graceful_shutdown_hands_back_an_unfinished_job_without_using_an_attempt()
    {
        await using var h = await NewAsync(configure: b => b.AddWorker(o => { o.ShutdownGrace = TimeSpan.FromMilliseconds(200); }));
        var r = await h.Client.EnqueueAsync(new BlockArgs("shutdown"));
        var worker = h.Services.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        await h.Recorder.Started("shutdown").WaitAsync(Wait);
        await worker.StopAsync(CancellationToken.None).WaitAsync(Wait);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(0, job.Attempts);
        Assert.Empty(job.Errors);
    }
}
