namespace Leora.Jobs.Storage;

/// <summary>
/// A row of the schedules table as the stores read and write it. <see cref="Payload"/> is JSON text that already bound to
/// the type's arguments; <see cref="Misfire"/> and <see cref="Overlap"/> are the stored names (<c>latest</c>, <c>all</c>,
/// <c>skip</c>; <c>allow</c>, <c>skip</c>). <see cref="LastJobStatus"/> is read with the row (the job of
/// <see cref="LastJobId"/>, null when there is none or it was deleted) and never written.
/// </summary>
public sealed record ScheduleRow
{
    /// <summary>The schedule's unique name.</summary>
    public required string Name { get; init; }
    /// <summary>The cron expression (5 or 6 fields, or a macro such as <c>@daily</c>).</summary>
    public required string Cron { get; init; }
    /// <summary>The IANA time zone the cron expression is read in.</summary>
    public required string TimeZone { get; init; }
    /// <summary>The job type of each tick's job.</summary>
    public required string Kind { get; init; }
    /// <summary>The payload of each tick's job, as JSON text.</summary>
    public required string Payload { get; init; }
    /// <summary>The queue, or null for the type's.</summary>
    public string? Queue { get; init; }
    /// <summary>The priority, or null for the type's.</summary>
    public int? Priority { get; init; }
    /// <summary>The attempts, or null for the type's.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>Whether ticks are enqueued.</summary>
    public bool Enabled { get; init; }
    /// <summary><c>latest</c>, <c>all</c> or <c>skip</c>.</summary>
    public required string Misfire { get; init; }
    /// <summary>The most missed ticks enqueued at once under <c>all</c>.</summary>
    public int MisfireLimit { get; init; }
    /// <summary><c>allow</c> or <c>skip</c>.</summary>
    public required string Overlap { get; init; }
    /// <summary>The next tick not yet enqueued (UTC), or null when the expression has no further occurrence.</summary>
    public DateTimeOffset? NextRunAt { get; init; }
    /// <summary>The job of the latest tick or trigger.</summary>
    public long? LastJobId { get; init; }
    /// <summary>That job's status, when it still exists (read only).</summary>
    public JobStatus? LastJobStatus { get; init; }
    /// <summary>When the schedule was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When its definition last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
