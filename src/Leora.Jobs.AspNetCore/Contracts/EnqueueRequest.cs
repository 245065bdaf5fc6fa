using System.Text.Json;

namespace Leora.Jobs.AspNetCore;

/// <summary>The body of <c>POST /api/jobs</c>: a job to enqueue. Unknown fields are refused.</summary>
/// <param name="Type">The job type's stable name, for example <c>webhook</c>.</param>
/// <param name="Payload">The job's arguments; must bind to the type's payload.</param>
/// <param name="Priority">Higher runs first. Defaults to the type's priority (0).</param>
/// <param name="RunAt">Run no earlier than this time (ISO 8601). Wins over <paramref name="DelaySeconds"/>.</param>
/// <param name="DelaySeconds">Run no earlier than this many seconds from now.</param>
/// <param name="MaxAttempts">Attempts before the job fails for good, 1–1000. Defaults to the type's.</param>
/// <param name="Queue">The queue. Defaults to the type's (<c>default</c>).</param>
/// <param name="IdempotencyKey">Enqueueing again with this key returns the existing job (200) instead of a new one (201).</param>
public sealed record EnqueueRequest(
    string Type,
    JsonElement Payload,
    int? Priority = null,
    DateTimeOffset? RunAt = null,
    double? DelaySeconds = null,
    int? MaxAttempts = null,
    string? Queue = null,
    string? IdempotencyKey = null)
{
    /// <summary>
    /// A concurrency key (a customer id, an account): at most the type's key concurrency (1 by default) jobs of this type with
    /// this key run at once, in priority then FIFO order (docs/limits.md). 1–200 characters.
    /// </summary>
    public string? ConcurrencyKey { get; init; }

    /// <summary>Existing jobs this one waits for (docs/workflows.md): it is enqueued <c>waiting</c> until every one has completed.</summary>
    public IReadOnlyList<long>? DependsOn { get; init; }
    /// <summary>When a parent fails or is cancelled: <c>cancel</c> (the default) or <c>run_anyway</c>.</summary>
    public ParentFailurePolicy? OnParentFailure { get; init; }
    /// <summary>Adds the job to this running batch as a member.</summary>
    public long? BatchId { get; init; }
}
