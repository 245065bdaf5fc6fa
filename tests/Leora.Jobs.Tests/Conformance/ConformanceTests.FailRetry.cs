using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Fail and retry: backoff, a handler's retry-after, permanent errors, timeouts, and retry by hand.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task A_failing_job_retries_with_backoff_then_fails_keeping_every_error()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new FailArgs(-1));

        Assert.Equal(JobOutcome.Retried, (await h.Processor.ProcessOneAsync())!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(h.Time!.GetUtcNow().AddSeconds(10), job.RunAt);
        Assert.Null(await h.Processor.ProcessOneAsync());

        h.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(JobOutcome.Retried, (await h.Processor.ProcessOneAsync())!.Outcome);
        Assert.Equal(h.Time.GetUtcNow().AddSeconds(20), (await h.Client.GetAsync(r.Id))!.RunAt);

        h.Time.Advance(TimeSpan.FromSeconds(20));
        var last = await h.Processor.ProcessOneAsync();
        Assert.Equal(JobOutcome.Failed, last!.Outcome);
        job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(3, job.Attempts);
        Assert.Equal([1, 2, 3], job.Errors.Select(e => e.Attempt));
        Assert.All(job.Errors, e => Assert.Equal(typeof(InvalidOperationException).FullName, e.Type));
        Assert.Equal("boom on attempt 2", job.Errors[1].Message);
        Assert.Contains(nameof(FailHandler), job.Errors[2].StackTrace);
        Assert.Equal("test-worker", job.Errors[0].Worker);
        Assert.NotNull(job.CompletedAt);
    }

    [Fact]
    public async Task Retry_after_from_the_handler_overrides_the_backoff()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new FailArgs(1, RetryAfterSeconds: 120));
        Assert.Equal(JobOutcome.Retried, (await h.Processor.ProcessOneAsync())!.Outcome);
        Assert.Equal(h.Time!.GetUtcNow().AddSeconds(120), (await h.Client.GetAsync(r.Id))!.RunAt);
        h.Time.Advance(TimeSpan.FromSeconds(120));
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);
    }

    [Fact]
    public async Task A_permanent_error_fails_without_retry()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true), new EnqueueOptions { MaxAttempts = 5 });
        Assert.Equal(JobOutcome.Failed, (await h.Processor.ProcessOneAsync())!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(typeof(PermanentJobException).FullName, Assert.Single(job.Errors).Type);
    }

    [Fact]
    public async Task A_handler_that_exceeds_its_timeout_is_cancelled_and_the_attempt_fails()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new SlowArgs(60), new EnqueueOptions { MaxAttempts = 1 });
        var report = await h.Processor.ProcessOneAsync().WaitAsync(Wait);
        Assert.Equal(JobOutcome.Failed, report!.Outcome);
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("Timeout", Assert.Single(job.Errors).Type);
        Assert.Contains("Timed out", job.Errors[0].Message);
    }

    [Fact]
    public async Task A_failed_job_can_be_retried_by_hand_and_a_pending_one_cannot()
    {
        await using var h = await NewAsync();
        var r = await h.Client.EnqueueAsync(new FailArgs(1, Permanent: true));
        Assert.Equal(JobActionResult.Conflict, await h.Client.RetryAsync(r.Id));
        await h.Processor.ProcessOneAsync();
        Assert.Equal(JobStatus.Failed, (await h.Client.GetAsync(r.Id))!.Status);
        Assert.Equal(JobActionResult.Done, await h.Client.RetryAsync(r.Id));
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(4, job.MaxAttempts);
        Assert.Single(job.Errors);
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);
        Assert.Equal(JobActionResult.NotFound, await h.Client.RetryAsync(r.Id + 50));
    }

    [Fact]
    public async Task A_retry_grants_the_types_attempts_afresh_and_never_more_than_the_cap_in_all()
    {
        // Once max_attempts became attempts + max_attempts, 1 → 2 → 4 → … past the 1,000 that enqueue enforces (issue 11).
        await using var h = await NewAsync();
        // The per-job budget (1) was for the first run; a retry grants the type's (fail: Jobs:DefaultMaxAttempts, 3).
        var r = await h.Client.EnqueueAsync(new FailArgs(100, Permanent: true), new EnqueueOptions { MaxAttempts = 1 });
        await h.Processor.ProcessOneAsync();

        Assert.Equal(JobActionResult.Done, await h.Client.RetryAsync(r.Id));
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal((JobStatus.Pending, 1, 4), (job.Status, job.Attempts, job.MaxAttempts));
        await h.Processor.ProcessOneAsync();
        Assert.Equal(JobActionResult.Done, await h.Client.RetryAsync(r.Id));
        job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal((2, 5), (job.Attempts, job.MaxAttempts));

        // Near the cap, the grant is cut to it.
        await SetAttemptsAsync(h, r.Id, attempts: 998, status: "failed");
        Assert.Equal(JobActionResult.Done, await h.Client.RetryAsync(r.Id));
        job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal((998, 1000), (job.Attempts, job.MaxAttempts));

        // At the cap, a retry is refused and changes nothing; the refusal says why.
        await SetAttemptsAsync(h, r.Id, attempts: 1000, status: "failed");
        Assert.Equal(JobActionResult.Conflict, await h.Client.RetryAsync(r.Id));
        job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal((JobStatus.Failed, 1000, 1000), (job.Status, job.Attempts, job.MaxAttempts));
        Assert.Contains("1000", JobClient.RetryRefusal(r.Id, job), StringComparison.Ordinal);
    }

    private static async Task SetAttemptsAsync(Harness h, long id, int attempts, string status)
    {
        await using var connection = await h.Client.OpenConnectionAsync();
        await using var cmd = connection.CreateCommand();
        var table = h.Schema is null ? "leora_jobs" : $"\"{h.Schema}\".jobs";
        cmd.CommandText = $"UPDATE {table} SET attempts = {attempts}, max_attempts = {attempts}, status = '{status}' WHERE id = {id}";
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}
