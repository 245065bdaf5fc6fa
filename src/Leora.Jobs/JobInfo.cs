using System.Text.Json;

namespace Leora.Jobs;

/// <summary>A job as stored: what status, list and the HTTP API report.</summary>
public sealed record JobInfo
{
    public required long Id { get; init; }
    /// <summary>The job type's stable name.</summary>
    public required string Type { get; init; }
    public required string Queue { get; init; }
    public required JobStatus Status { get; init; }
    /// <summary>Higher runs first. Defaults to 0.</summary>
    public required int Priority { get; init; }
    public required JsonElement Payload { get; init; }
    /// <summary>Attempts started so far (counted when claimed).</summary>
    public required int Attempts { get; init; }
    public required int MaxAttempts { get; init; }
    public string? IdempotencyKey { get; init; }
    /// <summary>Progress of the running or last attempt, 0–100.</summary>
    public int? Progress { get; init; }
    public string? ProgressMessage { get; init; }
    public JsonElement? Result { get; init; }
    public required IReadOnlyList<JobAttemptError> Errors { get; init; }
    /// <summary>The worker holding (or that last held) the lease.</summary>
    public string? Worker { get; init; }
    /// <summary>When the current lease expires (processing jobs only).</summary>
    public DateTimeOffset? LockedUntil { get; init; }
    /// <summary>True when cancellation of a running job was requested and its handler has not stopped yet.</summary>
    public bool CancelRequested { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the job is (or was) due.</summary>
    public required DateTimeOffset RunAt { get; init; }
    /// <summary>When the last attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When the job finished (completed, failed or cancelled).</summary>
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>The job's concurrency key (<see cref="EnqueueOptions.ConcurrencyKey"/>), or null.</summary>
    public string? ConcurrencyKey { get; init; }
}
