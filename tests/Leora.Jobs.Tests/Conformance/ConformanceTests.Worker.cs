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
    public async Task A_slot_starts_the_next_job_while_the_last_outcome_waits_for_its_commit_but_no_more_outcomes_wait_than_there_are_slots()
    {
        var commits = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = await NewAsync(configure: b =>
        {
            b.AddWorker(o => { o.Concurrency = 1; o.PollInterval = TimeSpan.FromMilliseconds(200); });
            CompletionGate.Wrap(b, commits.Task);
        });
        var ids = new List<long>();
        foreach (var name in new[] { "a", "b", "c" }) ids.Add((await h.Client.EnqueueAsync(new EchoArgs(name))).Id);
        var worker = h.Services.GetRequiredService<JobWorker>();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            await SecondJobRunsWhileTheFirstOutcomeWaitsAsync();
        }
        finally
        {
            // Outcome writes outlive a stop: a failed assertion must not leave them (and the test's clean-up) at the gate.
            commits.TrySetResult();
        }
        await TestSupport.Eventually.WaitAsync(async () => (await h.Client.CountByStatusAsync())[JobStatus.Completed] == 3, Wait, "3 jobs completed");
        await worker.StopAsync(CancellationToken.None);
        Assert.Equal(3, h.Recorder.Runs.Select(r => r.Id).Distinct().Count());
        Assert.Equal(3, h.Recorder.Runs.Count);

        async Task SecondJobRunsWhileTheFirstOutcomeWaitsAsync()
        {
            // The first job's outcome waits at the gate, yet the one slot runs a second job: it was freed when the handler returned.
            await TestSupport.Eventually.WaitAsync(() => Task.FromResult(h.Recorder.Runs.Count >= 2), Wait, "a second job run while the first one's outcome waits");
            var first = h.Recorder.Runs.First().Id;
            Assert.Equal(JobStatus.Processing, (await h.Client.GetAsync(first))!.Status);
            // One slot and one outcome already waiting: the second job keeps its slot until an outcome is written, so the
            // third is not claimed (with no cap, the worker would go on claiming while outcomes pile up).
            var third = ids.Single(id => h.Recorder.Runs.All(r => r.Id != id));
            Assert.Equal(JobStatus.Pending, (await h.Client.GetAsync(third))!.Status);
            Assert.Equal(2, h.Recorder.Runs.Count);
        }
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
