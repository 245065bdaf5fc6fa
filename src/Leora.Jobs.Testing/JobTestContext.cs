using System.Text.Json;
using Leora.Jobs.Storage;

namespace Leora.Jobs.Testing;

/// <summary>
/// Creates the context a handler gets for one attempt, for a unit test: no database, no worker. What the handler
/// reports through it (progress, result) is recorded on the returned <see cref="JobTestContext{TArgs}"/>.
/// </summary>
public static class JobTestContext
{
    /// <summary>
    /// A context for one attempt of a job with <paramref name="args"/>. The arguments go through the same JSON the
    /// queue stores (camelCase, strict binding), so the handler sees what a worker would give it, and arguments that
    /// would not survive enqueue fail here.
    /// </summary>
    /// <param name="args">The job's payload.</param>
    /// <param name="attempt">This attempt's number, from 1. Defaults to 1.</param>
    /// <param name="maxAttempts">Attempts allowed in all. Defaults to 3, the queue's default.</param>
    /// <param name="id">The job's id. Defaults to 1.</param>
    /// <param name="queue">The queue it was claimed from. Defaults to <c>default</c>.</param>
    /// <param name="idempotencyKey">The idempotency key it was enqueued with; none by default.</param>
    /// <param name="previousResultJson">The JSON result an earlier attempt stored (a checkpoint); none by default.</param>
    public static JobTestContext<TArgs> Create<TArgs>(TArgs args, int attempt = 1, int maxAttempts = 3, long id = 1,
        string queue = "default", string? idempotencyKey = null, string? previousResultJson = null)
        where TArgs : IJobArgs
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        var payload = JsonSerializer.Serialize(args, JobJson.Options);
        var bound = JsonSerializer.Deserialize<TArgs>(payload, JobJson.Options)
            ?? throw new ArgumentException($"The arguments of job type '{TArgs.Kind}' serialise to null.", nameof(args));
        if (previousResultJson is not null) JsonDocument.Parse(previousResultJson).Dispose();
        var now = DateTimeOffset.UtcNow;
        var row = new JobRow
        {
            Id = id,
            Kind = TArgs.Kind,
            Queue = queue,
            Status = JobStatus.Processing,
            Priority = 0,
            Payload = payload,
            Attempts = attempt,
            MaxAttempts = maxAttempts,
            IdempotencyKey = idempotencyKey,
            LockToken = Guid.NewGuid(),
            LockedUntil = now.AddMinutes(5),
            LockedBy = "test",
            Result = previousResultJson,
            Errors = "[]",
            CancelRequested = false,
            CreatedAt = now,
            RunAt = now,
            StartedAt = now,
        };
        return new JobTestContext<TArgs>(bound, row);
    }
}
