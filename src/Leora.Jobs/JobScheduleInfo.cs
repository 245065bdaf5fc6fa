namespace Leora.Jobs;

/// <summary>A stored schedule as read: its definition, its next runs and the job of its latest tick or trigger.</summary>
/// <param name="Schedule">The definition.</param>
/// <param name="NextRunAt">The next tick not yet enqueued (UTC), or null when the expression has no further occurrence.</param>
/// <param name="NextRuns">
/// The next five ticks from now, each with the schedule's zone's offset at that instant (so <c>UtcDateTime</c> gives UTC and
/// the value itself the wall-clock time in the zone). Listed even while the schedule is disabled.
/// </param>
/// <param name="LastJobId">The job of the latest tick or trigger, or null before the first.</param>
/// <param name="LastJobStatus">That job's status, or null when there is none or it was deleted (pruned).</param>
/// <param name="CreatedAt">When the schedule was created.</param>
/// <param name="UpdatedAt">When its definition last changed.</param>
public sealed record JobScheduleInfo(
    JobSchedule Schedule,
    DateTimeOffset? NextRunAt,
    IReadOnlyList<DateTimeOffset> NextRuns,
    long? LastJobId,
    JobStatus? LastJobStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
