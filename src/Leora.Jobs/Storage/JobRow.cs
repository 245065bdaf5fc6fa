namespace Leora.Jobs.Storage;

/// <summary>One row of the jobs table, as a store reads it. Payload, result and errors are JSON text.</summary>
public sealed record JobRow
{
    public required long Id { get; init; }
    public required string Kind { get; init; }
    public required string Queue { get; init; }
    public required JobStatus Status { get; init; }
    public required int Priority { get; init; }
    public required string Payload { get; init; }
    public required int Attempts { get; init; }
    public required int MaxAttempts { get; init; }
    public string? IdempotencyKey { get; init; }
    public Guid? LockToken { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public string? LockedBy { get; init; }
    public int? Progress { get; init; }
    public string? ProgressMessage { get; init; }
    public string? Result { get; init; }
    /// <summary>A JSON array of <see cref="JobAttemptError"/>.</summary>
    public required string Errors { get; init; }
    public required bool CancelRequested { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset RunAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>The job's concurrency key, or null.</summary>
    public string? ConcurrencyKey { get; init; }
    /// <summary>The W3C <c>traceparent</c> of the activity that enqueued the job; null when there was none.</summary>
    public string? TraceParent { get; init; }
    /// <summary>The W3C <c>tracestate</c> that came with <see cref="TraceParent"/>; null when empty.</summary>
    public string? TraceState { get; init; }
}
