using System.Text.Json;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// A job on the wire: what the HTTP API reports, and what the dashboard shows (it adds its view's timings). Not sealed
/// for that one reason: the dashboard's detail extends it, so both send the same fields under the same names.
/// </summary>
public record JobResponse
{
    public required long Id { get; init; }
    public required string Type { get; init; }
    public required string Queue { get; init; }
    /// <summary>pending, processing, completed, failed or cancelled.</summary>
    public required string Status { get; init; }
    public required int Priority { get; init; }
    public required JsonElement Payload { get; init; }
    public required int Attempts { get; init; }
    public required int MaxAttempts { get; init; }
    public string? IdempotencyKey { get; init; }
    public int? Progress { get; init; }
    public string? ProgressMessage { get; init; }
    public JsonElement? Result { get; init; }
    /// <summary>One entry per failed attempt, oldest first.</summary>
    public required IReadOnlyList<JobAttemptError> Errors { get; init; }
    public string? Worker { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public bool CancelRequested { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset RunAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>The job's concurrency key, or null (docs/limits.md).</summary>
    public string? ConcurrencyKey { get; init; }

    /// <summary>Maps the core read model.</summary>
    public static JobResponse From(JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new JobResponse
        {
            Id = job.Id,
            Type = job.Type,
            Queue = job.Queue,
            Status = job.Status.ToName(),
            Priority = job.Priority,
            Payload = job.Payload,
            Attempts = job.Attempts,
            MaxAttempts = job.MaxAttempts,
            IdempotencyKey = job.IdempotencyKey,
            Progress = job.Progress,
            ProgressMessage = job.ProgressMessage,
            Result = job.Result,
            Errors = job.Errors,
            Worker = job.Worker,
            LockedUntil = job.LockedUntil,
            CancelRequested = job.CancelRequested,
            CreatedAt = job.CreatedAt,
            RunAt = job.RunAt,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            ConcurrencyKey = job.ConcurrencyKey,
        };
    }
}
