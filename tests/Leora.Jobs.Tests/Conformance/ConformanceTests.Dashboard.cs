using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>
/// What the dashboard's lists and actions need of a store (issue 19): the Retries and Dead filters, a bounded count of a
/// list, and "run now" for a job that is waiting.
/// </summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task Retrying_scheduled_and_dead_jobs_are_told_apart_by_the_list_filters_and_counted_the_same()
    {
        await using var h = await NewAsync();
        var scheduled = await h.Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        var due = await h.Client.EnqueueAsync(new EchoArgs("now"));
        // Fails once, then waits 10 s (the harness's backoff) for its second attempt: a retry.
        var retrying = await h.Client.EnqueueAsync(new FailArgs(1), new EnqueueOptions { MaxAttempts = 3 });
        // Fails its only attempt: dead. A permanent failure with attempts left is failed but not dead.
        var dead = await h.Client.EnqueueAsync(new FailArgs(-1), new EnqueueOptions { MaxAttempts = 1 });
        var permanent = await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true), new EnqueueOptions { MaxAttempts = 5 });
        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });

        async Task<long[]> IdsAsync(JobQuery q) => [.. (await h.Client.ListAsync(q)).Items.Select(j => j.Id).Order()];
        var retries = new JobQuery { Status = JobStatus.Pending, Scheduled = true, Attempted = true };
        var later = new JobQuery { Status = JobStatus.Pending, Scheduled = true, Attempted = false };
        var deadQuery = new JobQuery { Status = JobStatus.Failed, Exhausted = true };
        Assert.Equal([retrying.Id], await IdsAsync(retries));
        Assert.Equal([scheduled.Id], await IdsAsync(later));
        Assert.Equal([dead.Id], await IdsAsync(deadQuery));
        Assert.Equal([dead.Id, permanent.Id], await IdsAsync(new JobQuery { Status = JobStatus.Failed }));
        Assert.Equal([permanent.Id], await IdsAsync(new JobQuery { Status = JobStatus.Failed, Exhausted = false }));
        Assert.Equal(JobStatus.Completed, (await h.Client.GetAsync(due.Id))!.Status);

        Assert.Equal(1, await h.Client.CountAsync(retries, 100));
        Assert.Equal(1, await h.Client.CountAsync(later, 100));
        Assert.Equal(1, await h.Client.CountAsync(deadQuery, 100));
        Assert.Equal(2, await h.Client.CountAsync(new JobQuery { Status = JobStatus.Failed }, 100));
        Assert.Equal(5, await h.Client.CountAsync(new JobQuery(), 100));
        Assert.Equal(2, await h.Client.CountAsync(new JobQuery { Type = FailArgs.Kind, Status = JobStatus.Failed }, 100));
        Assert.Equal(0, await h.Client.CountAsync(new JobQuery { Queue = "nowhere" }, 100));
    }

    [Fact]
    public async Task A_count_stops_at_its_bound_and_ignores_the_cursor()
    {
        await using var h = await NewAsync();
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 30).Select(i => new NoopArgs(i)));
        Assert.Equal(30, await h.Client.CountAsync(new JobQuery { Status = JobStatus.Pending }, 1000));
        Assert.Equal(12, await h.Client.CountAsync(new JobQuery { Status = JobStatus.Pending }, 12));
        var page = await h.Client.ListAsync(new JobQuery { Status = JobStatus.Pending, Limit = 10 });
        Assert.Equal(30, await h.Client.CountAsync(new JobQuery { Status = JobStatus.Pending, Cursor = page.NextCursor, Limit = 10 }, 1000));
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.CountAsync(new JobQuery(), 0));
    }

    [Fact]
    public async Task Run_now_makes_a_scheduled_or_retrying_job_due_and_refuses_the_others()
    {
        await using var h = await NewAsync();
        var scheduled = await h.Client.EnqueueAsync(new EchoArgs("tomorrow"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) });
        var retrying = await h.Client.EnqueueAsync(new FailArgs(1), new EnqueueOptions { MaxAttempts = 3 });
        Assert.NotNull(await h.Processor.ProcessOneAsync());
        var waiting = (await h.Client.GetAsync(retrying.Id))!;
        Assert.Equal(JobStatus.Pending, waiting.Status);
        Assert.Equal(1, waiting.Attempts);
        // Nothing is due: the scheduled job is a day away and the retry 10 s.
        Assert.Null(await h.Processor.ProcessOneAsync());

        Assert.Equal(JobActionResult.Done, await h.Client.RunNowAsync(scheduled.Id));
        Assert.Equal(JobActionResult.Done, await h.Client.RunNowAsync(retrying.Id));
        var retried = (await h.Client.GetAsync(retrying.Id))!;
        Assert.Equal(1, retried.Attempts);
        Assert.Single(retried.Errors);
        Assert.True(retried.RunAt <= DateTimeOffset.UtcNow.AddSeconds(1));
        // Due now: a second run-now has nothing to do.
        Assert.Equal(JobActionResult.Conflict, await h.Client.RunNowAsync(scheduled.Id));

        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });
        Assert.Equal(JobStatus.Completed, (await h.Client.GetAsync(scheduled.Id))!.Status);
        Assert.Equal(JobStatus.Completed, (await h.Client.GetAsync(retrying.Id))!.Status);
        Assert.Equal(JobActionResult.Conflict, await h.Client.RunNowAsync(scheduled.Id));
        Assert.Equal(JobActionResult.NotFound, await h.Client.RunNowAsync(scheduled.Id + 1000));

        // A running job is not moved either.
        var running = await h.Client.EnqueueAsync(new EchoArgs("running"));
        Assert.Equal([running.Id], (await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(1), "w"), CancellationToken.None)).Select(j => j.Id));
        Assert.Equal(JobActionResult.Conflict, await h.Client.RunNowAsync(running.Id));
    }

    [Fact]
    public async Task Counts_by_queue_and_by_type_split_unfinished_jobs_by_state_and_count_the_last_hour()
    {
        await using var h = await NewAsync();
        await h.Client.EnqueueAsync(new EchoArgs("a"), new EnqueueOptions { Queue = "mail" });
        await h.Client.EnqueueAsync(new EchoArgs("b"), new EnqueueOptions { Queue = "mail", Delay = TimeSpan.FromHours(1) });
        await h.Client.EnqueueAsync(new FailArgs(1), new EnqueueOptions { Queue = "mail", MaxAttempts = 3 });
        await h.Client.EnqueueAsync(new FailArgs(-1), new EnqueueOptions { Queue = "images", MaxAttempts = 1 });
        await h.Client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Queue = "images" });
        // Oldest first: runs the mail echo, fails the first FailArgs (retry in 10 s), fails the second (dead), completes the noop.
        Assert.Equal(4, (await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 })).Processed);
        await h.Client.EnqueueAsync(new EchoArgs("due"), new EnqueueOptions { Queue = "mail" });

        var byQueue = await h.Client.CountByGroupAsync(byType: false);
        Assert.Equal(["images", "mail"], byQueue.Select(g => g.Name));
        var mail = byQueue[1];
        Assert.Equal((1L, 1L, 1L, 0L, 1L, 0L), (mail.Due, mail.Scheduled, mail.Retrying, mail.Processing, mail.CompletedLastHour, mail.FailedLastHour));
        Assert.NotNull(mail.OldestDueAge);
        Assert.InRange(mail.OldestDueAge!.Value, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        var images = byQueue[0];
        Assert.Equal((0L, 0L, 0L, 0L, 1L, 1L), (images.Due, images.Scheduled, images.Retrying, images.Processing, images.CompletedLastHour, images.FailedLastHour));
        Assert.Null(images.OldestDueAge);

        var byType = await h.Client.CountByGroupAsync(byType: true);
        Assert.Equal([EchoArgs.Kind, FailArgs.Kind, NoopArgs.Kind], byType.Select(g => g.Name));
        Assert.Equal((1L, 1L, 0L, 1L), (byType[0].Due, byType[0].Scheduled, byType[0].Retrying, byType[0].CompletedLastHour));
        Assert.Equal((1L, 1L, 0L), (byType[1].Retrying, byType[1].FailedLastHour, byType[1].Due));
    }
}
