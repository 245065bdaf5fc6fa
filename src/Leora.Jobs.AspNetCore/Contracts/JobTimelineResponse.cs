namespace Leora.Jobs.AspNetCore;

/// <summary>A job's timeline, oldest first: its enqueue, then every event the store recorded (docs/http-api.md).</summary>
public sealed record JobTimelineResponse(long Id, IReadOnlyList<JobEvent> Events);
