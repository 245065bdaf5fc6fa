using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>
/// Issue 19: the timeline the store keeps of each job (one row per event, deleted with the job), the bounded throughput
/// history, and the bounded search by payload text and by created or finished time.
/// </summary>
public abstract partial class ConformanceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<IReadOnlyList<JobEvent>> TimelineOf(Harness h, long id) =>
        await h.Client.TimelineAsync(id) ?? throw new Xunit.Sdk.XunitException($"job {id} has no timeline");

    [Fact]
    public async Task A_jobs_timeline_records_each_claim_with_its_worker_a_rescue_a_failure_and_the_outcome()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new FailArgs(2), new EnqueueOptions { MaxAttempts = 3 });
        Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(1), "dead-worker"), CancellationToken.None));
        h.Time!.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await h.Processor.RescueExpiredAsync());
        var failed = await h.Processor.ProcessOneAsync();
        Assert.Equal(JobOutcome.Retried, failed!.Outcome);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);

        var events = await TimelineOf(h, r.Id);
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Rescued, JobEventKind.Claimed, JobEventKind.Failed,
            JobEventKind.Claimed, JobEventKind.Completed], events.Select(e => e.Kind));
        Assert.Equal([0, 1, 1, 2, 2, 3, 3], events.Select(e => e.Attempt));
        Assert.Equal([JobStatus.Pending, JobStatus.Processing, JobStatus.Pending, JobStatus.Processing, JobStatus.Pending,
            JobStatus.Processing, JobStatus.Completed], events.Select(e => e.Status));
        // Times by the store's clock (the harness's fake one): the enqueue, the claim, the rescue two minutes on.
        Assert.Equal(T0, events[0].At);
        Assert.Equal(T0, events[1].At);
        Assert.Equal(T0 + TimeSpan.FromMinutes(2), events[2].At);
        Assert.Equal(T0 + TimeSpan.FromMinutes(3), events[^1].At);
        Assert.Equal("dead-worker", events[1].Worker);
        Assert.Equal("dead-worker", events[2].Worker);
        Assert.NotNull(events[3].Worker);
        Assert.NotEqual("dead-worker", events[3].Worker);
        Assert.Contains("boom on attempt 2", events[4].Message, StringComparison.Ordinal);
        Assert.NotNull(events[2].Message);
        Assert.Null(events[^1].Message);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.At <= p.Second.At), "events in time order");
    }

    [Fact]
    public async Task Run_now_is_an_event_of_the_timeline_at_the_moment_it_was_asked_and_a_refused_one_writes_none()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        h.Time!.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(JobActionResult.Done, await h.Client.RunNowAsync(r.Id));
        // Due now: asked again, nothing to move and no second event.
        Assert.Equal(JobActionResult.Conflict, await h.Client.RunNowAsync(r.Id));
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);

        var events = await TimelineOf(h, r.Id);
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.RunNow, JobEventKind.Claimed, JobEventKind.Completed], events.Select(e => e.Kind));
        Assert.Equal(T0 + TimeSpan.FromMinutes(5), events[1].At);
        Assert.Equal(JobStatus.Pending, events[1].Status);
        Assert.Equal(0, events[1].Attempt);
    }

    [Fact]
    public async Task A_jobs_timeline_records_cancel_retry_cancel_request_release_and_failing_for_good()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("steered"));
        Assert.Equal(JobCancelResult.Cancelled, await h.Client.CancelAsync(r.Id));
        Assert.Equal(JobActionResult.Done, await h.Client.RetryAsync(r.Id));
        var held = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w1"), CancellationToken.None));
        Assert.Equal(JobCancelResult.CancelRequested, await h.Client.CancelAsync(r.Id));
        // Asked twice: one event.
        Assert.Equal(JobCancelResult.CancelRequested, await h.Client.CancelAsync(r.Id));
        Assert.True(await h.Store.JobFailAsync(new JobFailParams(r.Id, held.LockToken!.Value,
            """{"attempt":1,"message":"stopped","type":"OperationCanceledException","stackTrace":null,"at":"2026-01-01T12:00:00+00:00","worker":"w1"}""",
            null, JobStatus.Cancelled), CancellationToken.None));
        var events = await TimelineOf(h, r.Id);
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Cancelled, JobEventKind.Retried, JobEventKind.Claimed, JobEventKind.CancelRequested,
            JobEventKind.Cancelled], events.Select(e => e.Kind));
        Assert.Equal([JobStatus.Pending, JobStatus.Cancelled, JobStatus.Pending, JobStatus.Processing, JobStatus.Processing, JobStatus.Cancelled],
            events.Select(e => e.Status));
        Assert.Equal("w1", events[4].Worker);
        Assert.Equal("w1", events[5].Worker);

        var released = await h.Client.EnqueueAsync(new NoopArgs(1));
        var claim = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w2"), CancellationToken.None));
        Assert.True(await h.Store.JobReleaseAsync(released.Id, claim.LockToken!.Value, CancellationToken.None));
        var permanent = await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true), new EnqueueOptions { Priority = 5 });
        Assert.Equal(JobOutcome.Failed, (await h.Processor.ProcessOneAsync())!.Outcome);

        var r2 = await TimelineOf(h, released.Id);
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Released], r2.Select(e => e.Kind));
        Assert.Equal(0, r2[^1].Attempt);
        Assert.Equal("w2", r2[^1].Worker);
        var p = await TimelineOf(h, permanent.Id);
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Failed], p.Select(e => e.Kind));
        Assert.Equal(JobStatus.Failed, p[^1].Status);
        Assert.Contains("permanent failure on attempt 1", p[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_jobs_events_are_deleted_with_it_by_delete_and_by_cleanup()
    {
        await using var h = await NewAsync(fakeTime: true);
        // Each fails once first, so that it has events rows (a job that runs once and completes has none).
        var deleted = await h.Client.EnqueueAsync(new FailArgs(1, RetryAfterSeconds: 0), new EnqueueOptions { Priority = 2 });
        var cleaned = await h.Client.EnqueueAsync(new FailArgs(1, RetryAfterSeconds: 0), new EnqueueOptions { Priority = 1 });
        var kept = await h.Client.EnqueueAsync(new FailArgs(1, RetryAfterSeconds: 0));
        for (var i = 0; i < 4; i++) Assert.NotNull(await h.Processor.ProcessOneAsync());
        Assert.Equal(JobStatus.Completed, (await h.Client.GetAsync(cleaned.Id))!.Status);
        Assert.NotEmpty(await h.Store.JobEventListAsync(deleted.Id, CancellationToken.None));
        Assert.NotEmpty(await h.Store.JobEventListAsync(cleaned.Id, CancellationToken.None));

        Assert.Equal(JobActionResult.Done, await h.Client.DeleteAsync(deleted.Id));
        Assert.Empty(await h.Store.JobEventListAsync(deleted.Id, CancellationToken.None));
        Assert.Null(await h.Client.TimelineAsync(deleted.Id));

        h.Time!.Advance(TimeSpan.FromHours(2));
        for (var i = 0; i < 2; i++) Assert.NotNull(await h.Processor.ProcessOneAsync());
        Assert.Equal(1, await h.Client.CleanupAsync(TimeSpan.FromHours(1)));
        Assert.Empty(await h.Store.JobEventListAsync(cleaned.Id, CancellationToken.None));
        // The job that finished since keeps its events.
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Failed, JobEventKind.Claimed, JobEventKind.Completed],
            (await TimelineOf(h, kept.Id)).Select(e => e.Kind));
    }

    [Fact]
    public async Task A_job_that_runs_once_and_completes_writes_no_events_row_and_its_timeline_reads_the_claim_and_completion_from_its_row()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("once"));
        h.Time!.Advance(TimeSpan.FromMinutes(1));
        var held = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w1"), CancellationToken.None));
        Assert.Empty(await h.Store.JobEventListAsync(r.Id, CancellationToken.None));
        var running = await TimelineOf(h, r.Id);
        Assert.Equal([new JobEvent(JobEventKind.Enqueued, T0, JobStatus.Pending, 0, null, null),
            new JobEvent(JobEventKind.Claimed, T0 + TimeSpan.FromMinutes(1), JobStatus.Processing, 1, "w1", null)], running);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(r.Id, held.LockToken!.Value, null), CancellationToken.None));
        Assert.Empty(await h.Store.JobEventListAsync(r.Id, CancellationToken.None));
        Assert.Equal([.. running, new JobEvent(JobEventKind.Completed, T0 + TimeSpan.FromMinutes(2), JobStatus.Completed, 1, "w1", null)],
            await TimelineOf(h, r.Id));
        // The completion is fenced as before: a second one with the same token finds nothing to complete.
        Assert.False(await h.Store.JobCompleteAsync(new JobCompleteParams(r.Id, held.LockToken!.Value, null), CancellationToken.None));
    }

    [Fact]
    public async Task A_running_attempts_claim_is_written_once_before_the_first_event_that_follows_it_and_a_released_attempt_claimed_again_shows_both_claims()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("steered"));
        var first = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w1"), CancellationToken.None));
        h.Time!.Advance(TimeSpan.FromMinutes(1));
        // Released at shutdown: the attempt's claim, then the release (the attempt is not counted).
        Assert.True(await h.Store.JobReleaseAsync(r.Id, first.LockToken!.Value, CancellationToken.None));
        Assert.Equal([(JobEventKind.Claimed, 1, "w1"), (JobEventKind.Released, 0, "w1")],
            (await h.Store.JobEventListAsync(r.Id, CancellationToken.None)).Select(e => (e.Kind, e.Attempt, e.Worker)));

        // Claimed again under the same attempt number, then asked to cancel twice, then completed anyway.
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var second = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w2"), CancellationToken.None));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(JobCancelResult.CancelRequested, await h.Client.CancelAsync(r.Id));
        Assert.Equal(JobCancelResult.CancelRequested, await h.Client.CancelAsync(r.Id));
        Assert.Equal([JobEventKind.Claimed, JobEventKind.Released, JobEventKind.Claimed, JobEventKind.CancelRequested],
            (await h.Store.JobEventListAsync(r.Id, CancellationToken.None)).Select(e => e.Kind));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(r.Id, second.LockToken!.Value, null), CancellationToken.None));

        var events = await TimelineOf(h, r.Id);
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Released, JobEventKind.Claimed, JobEventKind.CancelRequested,
            JobEventKind.Completed], events.Select(e => e.Kind));
        Assert.Equal([0, 1, 0, 1, 1, 1], events.Select(e => e.Attempt));
        Assert.Equal([null, "w1", "w1", "w2", "w2", "w2"], events.Select(e => e.Worker));
        // The claims and the completion at their times by the store's clock (SQLite stamps a release and a cancel request by
        // its own clock, not the harness's fake one: migration 10).
        Assert.Equal([T0, T0 + TimeSpan.FromMinutes(2), T0 + TimeSpan.FromMinutes(4)], new[] { events[1], events[3], events[5] }.Select(e => e.At));

        // A failure after a cancel request writes no second claim: the claim row is written once per attempt.
        var failing = await h.Client.EnqueueAsync(new EchoArgs("asked to stop"));
        var held = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "w3"), CancellationToken.None));
        Assert.Equal(JobCancelResult.CancelRequested, await h.Client.CancelAsync(failing.Id));
        Assert.True(await h.Store.JobFailAsync(new JobFailParams(failing.Id, held.LockToken!.Value,
            """{"attempt":1,"message":"stopped","type":"OperationCanceledException","stackTrace":null,"at":"2026-01-01T12:04:00+00:00","worker":"w3"}""",
            TimeSpan.Zero), CancellationToken.None));
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.CancelRequested, JobEventKind.Failed],
            (await TimelineOf(h, failing.Id)).Select(e => e.Kind));
    }

    [Fact]
    public async Task The_history_counts_completed_and_failed_jobs_per_minute_and_hour_and_outlives_the_jobs()
    {
        await using var h = await NewAsync(fakeTime: true);
        for (var i = 0; i < 3; i++) await h.Client.EnqueueAsync(new EchoArgs($"h{i}"));
        await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true));
        await h.Client.EnqueueAsync(new FailArgs(1));
        for (var i = 0; i < 5; i++) Assert.NotNull(await h.Processor.ProcessOneAsync());
        h.Time!.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);

        var hour = await h.Client.HistoryAsync(JobHistoryRange.Hour);
        Assert.Equal(60, hour.Points.Count);
        Assert.Equal(TimeSpan.FromMinutes(1), hour.Bucket);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), hour.Points[^1].At);
        // The retry is not an outcome: 3 completed and 1 failed for good in the first minute, the retried job's completion in the next.
        Assert.Equal((3L, 1L), (hour.Points[^2].Completed, hour.Points[^2].Failed));
        Assert.Equal((1L, 0L), (hour.Points[^1].Completed, hour.Points[^1].Failed));
        Assert.Equal(4, hour.Points.Sum(p => p.Completed));

        var day = await h.Client.HistoryAsync(JobHistoryRange.Day);
        Assert.Equal(24, day.Points.Count);
        Assert.Equal(T0, day.Points[^1].At);
        Assert.Equal((4L, 1L), (day.Points[^1].Completed, day.Points[^1].Failed));
        var week = await h.Client.HistoryAsync(JobHistoryRange.Week);
        Assert.Equal(168, week.Points.Count);
        Assert.Equal((4L, 1L), (week.Points.Sum(p => p.Completed), week.Points.Sum(p => p.Failed)));

        // Drawn from the history table, not the jobs table: the clean-up takes the jobs, not the counts.
        // (All but the job that finished this very millisecond, which is not older than zero.)
        Assert.Equal(4, await h.Client.CleanupAsync(TimeSpan.Zero));
        var after = await h.Client.HistoryAsync(JobHistoryRange.Hour);
        Assert.Equal((4L, 1L), (after.Points.Sum(p => p.Completed), after.Points.Sum(p => p.Failed)));

        // A week and two hours on, the ring's slot of the first minute comes round again: a new count starts there.
        h.Time.Advance(TimeSpan.FromMinutes(10200 - 1));
        await h.Client.EnqueueAsync(new EchoArgs("a week on"));
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);
        var later = await h.Client.HistoryAsync(JobHistoryRange.Week);
        Assert.Equal((1L, 0L), (later.Points.Sum(p => p.Completed), later.Points.Sum(p => p.Failed)));
        Assert.Equal(1, later.Points[^1].Completed);
    }

    [Fact]
    public async Task Each_completion_path_counts_its_jobs_in_the_history_once_and_a_fenced_out_completion_not_at_all()
    {
        await using var h = await NewAsync(fakeTime: true);
        for (var i = 0; i < 5; i++) await h.Client.EnqueueAsync(new EchoArgs($"c{i}"));
        var held = await h.Store.JobClaimAsync(new JobClaimParams(null, 5, TimeSpan.FromMinutes(5), "w1"), CancellationToken.None);
        Assert.Equal(5, held.Count);
        async Task<long> Completed() => (await h.Client.HistoryAsync(JobHistoryRange.Hour)).Points.Sum(p => p.Completed);

        Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(held[0].Id, held[0].LockToken!.Value, null), CancellationToken.None));
        Assert.Equal(1, await Completed());
        // A batch of four, one of them with a token that does not hold it: three completed, three counted.
        var batch = held.Skip(1).Select((j, i) => new JobCompleteParams(j.Id, i == 0 ? Guid.NewGuid() : j.LockToken!.Value, null)).ToArray();
        Assert.Equal(held.Skip(2).Select(j => j.Id).Order(), (await h.Store.JobCompleteManyAsync(batch, CancellationToken.None)).Order());
        Assert.Equal(4, await Completed());
        // The same batch again completes nothing and counts nothing.
        Assert.Empty(await h.Store.JobCompleteManyAsync(batch, CancellationToken.None));
        Assert.False(await h.Store.JobCompleteAsync(new JobCompleteParams(held[0].Id, held[0].LockToken!.Value, null), CancellationToken.None));
        Assert.Equal(4, await Completed());
        // A minute later, in the next minute's bucket.
        h.Time!.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(held[1].Id, held[1].LockToken!.Value, null), CancellationToken.None));
        var hour = await h.Client.HistoryAsync(JobHistoryRange.Hour);
        Assert.Equal((4L, 1L), (hour.Points[^2].Completed, hour.Points[^1].Completed));
    }

    [Fact]
    public async Task A_search_finds_jobs_by_payload_text_in_any_case_and_by_created_and_finished_time()
    {
        await using var h = await NewAsync(fakeTime: true);
        var a = await h.Client.EnqueueAsync(new EchoArgs("alpha needle"));
        var b = await h.Client.EnqueueAsync(new EchoArgs("beta"));
        h.Time!.Advance(TimeSpan.FromHours(1));
        var c = await h.Client.EnqueueAsync(new EchoArgs("a NEEDLE in caps"));
        Assert.Equal(JobOutcome.Completed, (await h.Processor.ProcessOneAsync())!.Outcome);

        async Task<long[]> Ids(JobQuery q) => [.. (await h.Client.ListAsync(q)).Items.Select(j => j.Id)];
        Assert.Equal([c.Id, a.Id], await Ids(new JobQuery { PayloadContains = "needle" }));
        Assert.Equal([a.Id], await Ids(new JobQuery { PayloadContains = "needle", Status = JobStatus.Completed }));
        Assert.Empty(await Ids(new JobQuery { PayloadContains = "gamma" }));
        Assert.Equal([c.Id], await Ids(new JobQuery { CreatedFrom = T0 + TimeSpan.FromMinutes(30) }));
        Assert.Equal([b.Id, a.Id], await Ids(new JobQuery { CreatedTo = T0 + TimeSpan.FromMinutes(30) }));
        Assert.Equal([a.Id], await Ids(new JobQuery { FinishedFrom = T0 + TimeSpan.FromMinutes(30), FinishedTo = T0 + TimeSpan.FromHours(2) }));
        Assert.Empty(await Ids(new JobQuery { FinishedTo = T0 + TimeSpan.FromMinutes(30) }));

        // Paged by the same cursor as any list.
        var first = await h.Client.ListAsync(new JobQuery { PayloadContains = "NeEdLe", Limit = 1 });
        Assert.Equal([c.Id], first.Items.Select(j => j.Id));
        var second = await h.Client.ListAsync(new JobQuery { PayloadContains = "NeEdLe", Limit = 1, Cursor = first.NextCursor });
        Assert.Equal([a.Id], second.Items.Select(j => j.Id));
        Assert.Null(second.NextCursor);
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.ListAsync(new JobQuery { PayloadContains = new string('x', 201) }));
    }
}
