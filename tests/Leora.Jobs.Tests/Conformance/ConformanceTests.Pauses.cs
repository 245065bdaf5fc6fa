using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

/// <summary>
/// Pause and resume a queue or a job type (issue 12): the claim itself leaves paused jobs pending, with no attempt used,
/// for workers and batch calls alike; enqueueing still works; a resume lets them run.
/// </summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task A_paused_queue_or_type_is_not_claimed_uses_no_attempt_and_runs_once_resumed()
    {
        await using var h = await NewAsync();
        var pauses = h.Services.GetRequiredService<IJobPauses>();
        await pauses.PauseAsync(JobPauseScope.Queue, "emails");
        await pauses.PauseAsync(JobPauseScope.Type, NoopArgs.Kind);
        // Enqueueing into what is paused still works; the paused jobs come first in claim order (priority).
        var inPausedQueue = (await h.Client.EnqueueAsync(new EchoArgs("q"), new EnqueueOptions { Queue = "emails", Priority = 9 })).Id;
        var ofPausedType = (await h.Client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Priority = 9 })).Id;
        var free = (await h.Client.EnqueueAsync(new EchoArgs("free"))).Id;

        // Every claim shape: all queues, one queue, by types.
        Assert.Empty(await h.Store.JobClaimAsync(new JobClaimParams("emails", 10, TimeSpan.FromMinutes(1), "w"), CancellationToken.None));
        Assert.Empty(await h.Store.JobClaimAsync(new JobClaimParams("emails", 10, TimeSpan.FromMinutes(1), "w") { Kinds = ["echo"] }, CancellationToken.None));
        var batch = await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });
        Assert.Equal([free], batch.Jobs.Select(j => j.Id));
        Assert.Null(await h.Processor.ProcessOneAsync());
        foreach (var id in (long[])[inPausedQueue, ofPausedType])
        {
            var job = (await h.Client.GetAsync(id))!;
            Assert.Equal(JobStatus.Pending, job.Status);
            Assert.Equal(0, job.Attempts);
        }
        var stats = await h.Client.StatsAsync();
        Assert.Equal([(JobPauseScope.Queue, "emails"), (JobPauseScope.Type, NoopArgs.Kind)], stats.Paused.Select(p => (p.Scope, p.Name)));

        Assert.True(await pauses.ResumeAsync(JobPauseScope.Queue, "emails"));
        Assert.Equal([inPausedQueue], (await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 })).Jobs.Select(j => j.Id));
        Assert.True(await pauses.ResumeAsync(JobPauseScope.Type, NoopArgs.Kind));
        Assert.Equal([ofPausedType], (await h.Store.JobClaimAsync(new JobClaimParams(null, 10, TimeSpan.FromMinutes(1), "w") { Kinds = ["noop"] }, CancellationToken.None)).Select(r => r.Id));
        Assert.Equal(1, (await h.Client.GetAsync(ofPausedType))!.Attempts);
        Assert.Empty((await h.Client.StatsAsync()).Paused);
    }

    [Fact]
    public async Task A_pause_holds_limited_and_keyed_jobs_too()
    {
        // Limited and keyed jobs are claimed by the limits' own statements (docs/limits.md), which must honour pauses as well.
        await using var h = await NewAsync();
        await SetLimitsAsync(h, TypeLimit(NoopArgs.Kind, concurrency: 5));
        var pauses = h.Services.GetRequiredService<IJobPauses>();
        await pauses.PauseAsync(JobPauseScope.Type, NoopArgs.Kind);
        await pauses.PauseAsync(JobPauseScope.Queue, "accounts");
        var limited = (await h.Client.EnqueueAsync(new NoopArgs(1))).Id;
        var keyed = (await h.Client.EnqueueAsync(new EchoArgs("k"), new EnqueueOptions { Queue = "accounts", ConcurrencyKey = "account-7" })).Id;

        Assert.Empty(await h.Store.JobClaimAsync(Claim(10), CancellationToken.None));
        Assert.Empty((await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 })).Jobs);
        foreach (var id in (long[])[limited, keyed])
            Assert.Equal(0, (await h.Client.GetAsync(id))!.Attempts);

        Assert.True(await pauses.ResumeAsync(JobPauseScope.Type, NoopArgs.Kind));
        Assert.Equal([limited], (await h.Store.JobClaimAsync(Claim(10), CancellationToken.None)).Select(r => r.Id));
        Assert.True(await pauses.ResumeAsync(JobPauseScope.Queue, "accounts"));
        Assert.Equal([keyed], (await h.Store.JobClaimAsync(Claim(10), CancellationToken.None)).Select(r => r.Id));
    }

    [Fact]
    public async Task Pausing_checks_the_name_keeps_the_first_time_and_resuming_what_is_not_paused_is_false()
    {
        await using var h = await NewAsync();
        var pauses = h.Services.GetRequiredService<IJobPauses>();
        var unknown = await Assert.ThrowsAsync<UnknownJobTypeException>(() => pauses.PauseAsync(JobPauseScope.Type, "send_welcome_emial"));
        Assert.Contains(EchoArgs.Kind, unknown.KnownTypes);
        Assert.Equal("queue", (await Assert.ThrowsAsync<JobValidationException>(() => pauses.PauseAsync(JobPauseScope.Queue, "no spaces"))).Field);
        Assert.Empty(await pauses.ListAsync());

        // A queue with no jobs yet may be paused; pausing again keeps the first pause.
        var first = await pauses.PauseAsync(JobPauseScope.Queue, "later");
        var again = await pauses.PauseAsync(JobPauseScope.Queue, "later");
        Assert.Equal(first, again);
        Assert.Equal([first], await pauses.ListAsync());
        Assert.False(await pauses.ResumeAsync(JobPauseScope.Type, EchoArgs.Kind));
        Assert.True(await pauses.ResumeAsync(JobPauseScope.Queue, "later"));
        Assert.False(await pauses.ResumeAsync(JobPauseScope.Queue, "later"));
    }

    [Fact]
    public async Task A_job_that_is_running_when_its_type_is_paused_finishes()
    {
        await using var h = await NewAsync();
        var pauses = h.Services.GetRequiredService<IJobPauses>();
        var id = (await h.Client.EnqueueAsync(new BlockArgs("paused-while-running"))).Id;
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("paused-while-running").WaitAsync(Wait);
        await pauses.PauseAsync(JobPauseScope.Type, BlockArgs.Kind);
        h.Recorder.Open("paused-while-running");
        await run.WaitAsync(Wait);
        Assert.Equal(JobStatus.Completed, (await h.Client.GetAsync(id))!.Status);
    }
}
