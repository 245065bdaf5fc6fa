using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Complete and progress: the outcome and the result written by the lease holder.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task Process_one_completes_the_job_and_stores_its_result()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new EchoArgs("hello"));
        var report = await h.Processor.ProcessOneAsync();
        Assert.NotNull(report);
        Assert.Equal(JobOutcome.Completed, report.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal("hello", job.Result!.Value.GetProperty("echoed").GetString());
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.CompletedAt);
        Assert.Equal(100, job.Progress);
        Assert.Equal("test-worker", job.Worker);
        Assert.Null(await h.Processor.ProcessOneAsync());
    }

    // A handler's output is not input to refuse: a NUL in a webhook's reply body once failed the outcome write on
    // PostgreSQL (text and jsonb cannot hold it), leaving the job running until its lease ran out and then again.
    [Fact]
    public async Task A_result_and_a_progress_message_no_store_can_hold_are_stored_with_replacement_characters()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new UnstorableOutputArgs(Fail: false));
        var rep = (await h.Processor.ProcessOneAsync())!;
        Assert.True(rep.Outcome == JobOutcome.Completed, rep.Error);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Completed, job.Status);
        var result = job.Result!.Value;
        Assert.Equal("a\uFFFDb", result.GetProperty("nul").GetString());
        Assert.Equal("x\uFFFDy", result.GetProperty("lone").GetString());
        Assert.Equal("1e999", result.GetProperty("big").GetString());
        Assert.Equal("ok", result.GetProperty("n\uFFFDame")[1].GetString());
    }

    [Fact]
    public async Task An_error_message_no_store_can_hold_fails_the_job_with_replacement_characters()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new UnstorableOutputArgs(Fail: true));
        Assert.Equal(JobOutcome.Failed, (await h.Processor.ProcessOneAsync())!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("reply body: a\uFFFDb", Assert.Single(job.Errors).Message);
        Assert.Equal("half\uFFFDway", job.ProgressMessage);
    }

    [Fact]
    public async Task Progress_is_visible_while_the_job_runs()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new BlockArgs("progress"));
        var run = h.Processor.ProcessOneAsync();
        await h.Recorder.Started("progress").WaitAsync(Wait);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Processing, job.Status);
        Assert.Equal(40, job.Progress);
        Assert.Equal("waiting at the gate", job.ProgressMessage);
        Assert.NotNull(job.LockedUntil);
        h.Recorder.Open("progress");
        Assert.Equal(JobOutcome.Completed, (await run.WaitAsync(Wait))!.Outcome);
        var done = (await h.Client.GetAsync(r.Id))!;
        Assert.True(done.Result!.Value.GetProperty("passed").GetBoolean());
        // Completed: 100 %, and the running job's last message ("waiting at the gate") is not shown as if it still applied.
        Assert.Equal(100, done.Progress);
        Assert.Null(done.ProgressMessage);
    }

    // Moved from the scale-out project's InProcessWorkerTests (a store-level test, so it belongs to the suite).
    [Fact]
    public async Task Completions_in_one_batch_are_each_fenced_by_their_own_token()
    {
        await using var h = await NewAsync();
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new NoopArgs(i)));
        var claimed = await h.Store.JobClaimAsync(new JobClaimParams(null, 3, TimeSpan.FromMinutes(5), "w"), CancellationToken.None);
        Assert.Equal(3, claimed.Count);
        var done = await h.Store.JobCompleteManyAsync(
        [
            new JobCompleteParams(claimed[0].Id, claimed[0].LockToken!.Value, null),
            new JobCompleteParams(claimed[1].Id, Guid.NewGuid(), null), // a token that lost its lease
            new JobCompleteParams(claimed[2].Id, claimed[2].LockToken!.Value, "{\"ok\":true}"),
        ], CancellationToken.None);
        Assert.Equal([claimed[0].Id, claimed[2].Id], done.Order());
        Assert.Equal(JobStatus.Completed, (await h.Store.JobGetAsync(claimed[0].Id, CancellationToken.None))!.Status);
        Assert.Equal(JobStatus.Processing, (await h.Store.JobGetAsync(claimed[1].Id, CancellationToken.None))!.Status);
        Assert.Contains("ok", (await h.Store.JobGetAsync(claimed[2].Id, CancellationToken.None))!.Result);
    }

    [Fact]
    public async Task Completing_many_with_valid_and_stale_tokens_completes_only_the_valid_and_leaves_the_stale_untouched()
    {
        await using var h = await NewAsync(fakeTime: true);
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new NoopArgs(i)));
        var claimed = await h.Store.JobClaimAsync(new JobClaimParams(null, 5, TimeSpan.FromMinutes(5), "w"), CancellationToken.None);
        Assert.Equal(5, claimed.Count);
        // claimed[3] is already finished by its holder: its token is stale for a second completion.
        Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(claimed[3].Id, claimed[3].LockToken!.Value, "{\"first\":true}"), CancellationToken.None));
        var before = new Dictionary<long, JobRow>();
        foreach (var row in claimed) before[row.Id] = (await h.Store.JobGetAsync(row.Id, CancellationToken.None))!;
        h.Time!.Advance(TimeSpan.FromSeconds(3));

        var done = await h.Store.JobCompleteManyAsync(
        [
            new JobCompleteParams(claimed[0].Id, claimed[0].LockToken!.Value, "{\"n\":0}"),
            new JobCompleteParams(claimed[1].Id, Guid.NewGuid(), "{\"n\":1}"),
            new JobCompleteParams(claimed[2].Id, claimed[2].LockToken!.Value, null),
            new JobCompleteParams(claimed[3].Id, claimed[3].LockToken!.Value, "{\"n\":3}"),
            new JobCompleteParams(claimed[4].Id, claimed[1].LockToken!.Value, "{\"n\":4}"), // another job's token
            new JobCompleteParams(claimed[4].Id + 1000, Guid.NewGuid(), null), // no such job
        ], CancellationToken.None);

        Assert.Equal([claimed[0].Id, claimed[2].Id], done.Order());
        var first = (await h.Store.JobGetAsync(claimed[0].Id, CancellationToken.None))!;
        Assert.Equal(JobStatus.Completed, first.Status);
        Assert.Equal("{\"n\":0}", first.Result?.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(h.Time.GetUtcNow(), first.CompletedAt);
        Assert.Null(first.LockToken);
        Assert.Equal(JobStatus.Completed, (await h.Store.JobGetAsync(claimed[2].Id, CancellationToken.None))!.Status);
        foreach (var stale in new[] { claimed[1], claimed[3], claimed[4] })
            Assert.Equal(before[stale.Id], (await h.Store.JobGetAsync(stale.Id, CancellationToken.None))!);
        Assert.Null(await h.Store.JobGetAsync(claimed[4].Id + 1000, CancellationToken.None));
    }
}
