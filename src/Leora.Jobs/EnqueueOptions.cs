namespace Leora.Jobs;

/// <summary>How to enqueue one job. Every property is optional.</summary>
public sealed record EnqueueOptions
{
    /// <summary>Higher runs first. Defaults to the job type's priority, itself 0 unless configured.</summary>
    public int? Priority { get; init; }
    /// <summary>Run no earlier than this time, at most 9999-01-01T00:00:00Z. Wins over <see cref="Delay"/>.</summary>
    public DateTimeOffset? RunAt { get; init; }
    /// <summary>Run no earlier than this long after enqueue: zero or more, and no later than 9999-01-01T00:00:00Z.</summary>
    public TimeSpan? Delay { get; init; }
    /// <summary>Attempts before the job fails for good, at least 1. Defaults to the job type's, itself 3 unless configured.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>The queue. Defaults to the job type's, itself <c>default</c> unless configured.</summary>
    public string? Queue { get; init; }
    /// <summary>
    /// Enqueueing again with the same key returns the existing job instead of a new one (until that job is deleted).
    /// 1–200 characters, without NUL characters or unpaired surrogates.
    /// </summary>
    public string? IdempotencyKey { get; init; }
    /// <summary>
    /// The job's concurrency key (a customer id, an account): at most the type's key concurrency (1 unless a limit says
    /// otherwise) jobs of one type with one key run at once, in priority then FIFO order. 1–200 characters, without NUL
    /// characters or unpaired surrogates. Defaults to null: no key. See docs/limits.md.
    /// </summary>
    public string? ConcurrencyKey { get; init; }
    /// <summary>
    /// Existing jobs this one waits for (docs/workflows.md): it is enqueued <see cref="JobStatus.Waiting"/>, never claimed,
    /// and becomes pending when every one of them has completed. Unknown ids refuse the enqueue. Not with
    /// <see cref="IdempotencyKey"/>. Defaults to null: no parents.
    /// </summary>
    public IReadOnlyList<long>? DependsOn { get; init; }
    /// <summary>What the job does when a parent fails for good or is cancelled. Defaults to <see cref="ParentFailurePolicy.Cancel"/>.</summary>
    public ParentFailurePolicy OnParentFailure { get; init; }
    /// <summary>
    /// Adds the job to this batch as a member (<see cref="IJobWorkflows"/>); the batch must still be running. Not with
    /// <see cref="IdempotencyKey"/>. Defaults to null: no batch.
    /// </summary>
    public long? BatchId { get; init; }

    /// <summary>True when the options make the job part of a workflow (parents or a batch).</summary>
    internal bool IsWorkflow => DependsOn is { Count: > 0 } || BatchId is not null || OnParentFailure != ParentFailurePolicy.Cancel;
}
