using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>
/// JobTimeline: the row's own columns stand for the latest claim and the completion, and rows an older build wrote for
/// them (every claim and completion, before migration 13 on SQLite) are not shown twice.
/// </summary>
public sealed class JobTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static JobRow Row(JobStatus status, int attempts, DateTimeOffset? started, DateTimeOffset? completed, string? worker) => new()
    {
        Id = 7, Kind = "echo", Queue = "default", Status = status, Priority = 0, Payload = "{}", Attempts = attempts, MaxAttempts = 3,
        Errors = "[]", CancelRequested = false, CreatedAt = T0, RunAt = T0, StartedAt = started, CompletedAt = completed, LockedBy = worker,
    };

    private static JobEvent Claimed(int attempt, int minute, string worker) =>
        new(JobEventKind.Claimed, T0.AddMinutes(minute), JobStatus.Processing, attempt, worker, null);

    [Fact]
    public void Rows_written_for_every_claim_and_completion_by_an_older_build_are_not_added_again()
    {
        var completed = new JobEvent(JobEventKind.Completed, T0.AddMinutes(2), JobStatus.Completed, 1, "w1", null);
        var done = Row(JobStatus.Completed, 1, T0.AddMinutes(1), T0.AddMinutes(2), "w1");
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Completed],
            JobTimeline.Of(done, [Claimed(1, 1, "w1"), completed]).Select(e => e.Kind));

        var running = Row(JobStatus.Processing, 1, T0.AddMinutes(1), null, "w1");
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed], JobTimeline.Of(running, [Claimed(1, 1, "w1")]).Select(e => e.Kind));
    }

    [Fact]
    public void The_rows_claim_is_added_after_a_previous_attempts_events_and_not_after_its_own_cancel_request()
    {
        var failed = new JobEvent(JobEventKind.Failed, T0.AddMinutes(2), JobStatus.Pending, 1, "w1", "boom");
        var retry = Row(JobStatus.Completed, 2, T0.AddMinutes(3), T0.AddMinutes(4), "w2");
        var events = JobTimeline.Of(retry, [Claimed(1, 1, "w1"), failed]);
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Failed, JobEventKind.Claimed, JobEventKind.Completed],
            events.Select(e => e.Kind));
        Assert.Equal(Claimed(2, 3, "w2"), events[3]);
        Assert.Equal(new JobEvent(JobEventKind.Completed, T0.AddMinutes(4), JobStatus.Completed, 2, "w2", null), events[4]);

        var asked = new JobEvent(JobEventKind.CancelRequested, T0.AddMinutes(5), JobStatus.Processing, 2, "w2", null);
        var stillRunning = Row(JobStatus.Processing, 2, T0.AddMinutes(3), null, "w2");
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Failed, JobEventKind.Claimed, JobEventKind.CancelRequested],
            JobTimeline.Of(stillRunning, [Claimed(1, 1, "w1"), failed, Claimed(2, 3, "w2"), asked]).Select(e => e.Kind));
    }

    [Fact]
    public void A_pending_failed_or_cancelled_job_shows_only_its_stored_events()
    {
        var stored = new[] { Claimed(1, 1, "w1"), new JobEvent(JobEventKind.Failed, T0.AddMinutes(2), JobStatus.Failed, 1, "w1", "boom") };
        Assert.Equal([JobEventKind.Enqueued, JobEventKind.Claimed, JobEventKind.Failed],
            JobTimeline.Of(Row(JobStatus.Failed, 1, T0.AddMinutes(1), T0.AddMinutes(2), "w1"), stored).Select(e => e.Kind));
        Assert.Equal([JobEventKind.Enqueued], JobTimeline.Of(Row(JobStatus.Pending, 0, null, null, null), []).Select(e => e.Kind));
    }
}
