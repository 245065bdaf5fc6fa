using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// A job's timeline from its row and its stored events (docs/http-api.md, "Timeline"). Three events are the row's own
/// columns, written by the statement that made them happen, and never an events row: the enqueue (<c>created_at</c>), the
/// latest claim (<c>started_at</c>, <c>attempts</c>, <c>locked_by</c>) and the completion (<c>completed_at</c>). So a job
/// that runs once and completes writes no events row at all (the drain's cost: docs/benchmarks.md, "Issue 16, sixth
/// round"). A claim becomes a row only when another event of its attempt follows it while the row still holds it (a
/// cancel request, a failure, a rescue, a release): the statement writing that event writes the claim's row first.
/// </summary>
internal static class JobTimeline
{
    /// <summary>
    /// The timeline of <paramref name="job"/>, oldest first: its enqueue, <paramref name="stored"/> (read before the row,
    /// so that an event written in between is missing rather than shown twice), then the latest claim unless a stored row
    /// already holds it, then the completion unless a stored row already holds it (rows written before migration 13 on
    /// SQLite and before this build on PostgreSQL record every claim and completion).
    /// </summary>
    public static IReadOnlyList<JobEvent> Of(JobRow job, IReadOnlyList<JobEvent> stored)
    {
        var events = new List<JobEvent>(stored.Count + 3) { new(JobEventKind.Enqueued, job.CreatedAt, JobStatus.Pending, 0, null, null) };
        events.AddRange(stored);
        if (job.Status is not (JobStatus.Processing or JobStatus.Completed) || job.StartedAt is not { } started) return events;
        if (!ClaimStored(stored, job.Attempts))
            events.Add(new JobEvent(JobEventKind.Claimed, started, JobStatus.Processing, job.Attempts, job.LockedBy, null));
        if (job is { Status: JobStatus.Completed, CompletedAt: { } completed } && stored is not [.., { Kind: JobEventKind.Completed }])
            events.Add(new JobEvent(JobEventKind.Completed, completed, JobStatus.Completed, job.Attempts, job.LockedBy, null));
        return events;
    }

    /// <summary>
    /// Whether the stored events end with the claim of attempt <paramref name="attempt"/>, followed at most by what can
    /// follow it within its attempt (a cancel request, and an older build's completion row). A released attempt is
    /// claimed again under the same number, but its release row follows its claim's and ends that run.
    /// </summary>
    private static bool ClaimStored(IReadOnlyList<JobEvent> stored, int attempt)
    {
        for (var i = stored.Count - 1; i >= 0 && stored[i].Attempt == attempt; i--)
        {
            switch (stored[i].Kind)
            {
                case JobEventKind.Claimed: return true;
                case JobEventKind.CancelRequested or JobEventKind.Completed: continue;
                default: return false;
            }
        }
        return false;
    }
}
