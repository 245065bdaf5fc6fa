namespace Leora.Jobs.Storage;

/// <summary>
/// One job of a workflow insert: the job itself, the jobs it waits for (existing ones by id, and earlier entries of the same
/// insert by index), what it does when one of them fails, and its place in a batch.
/// </summary>
public sealed record WorkflowJobParams(JobInsertParams Job)
{
    /// <summary>Existing jobs this one waits for. Unknown ids refuse the whole insert (<see cref="JobValidationException"/>).</summary>
    public IReadOnlyList<long> ParentIds { get; init; } = [];
    /// <summary>Earlier entries of the same insert this one waits for (their index in <see cref="WorkflowInsertParams.Jobs"/>).</summary>
    public IReadOnlyList<int> ParentIndexes { get; init; } = [];
    /// <summary>True: run when a parent fails or is cancelled; false: be cancelled with it, the reason naming the parent.</summary>
    public bool RunAnyway { get; init; }
    /// <summary>The job's place in the insert's batch, or null: not in a batch.</summary>
    public JobBatchRole? BatchRole { get; init; }

    /// <summary>True when the job has parents.</summary>
    public bool HasParents => ParentIds.Count > 0 || ParentIndexes.Count > 0;
}

/// <summary>
/// Jobs to insert in one transaction with their dependencies and batch: into a new batch (<see cref="NewBatch"/>), into an
/// existing unfinished one (<see cref="BatchId"/>), or none. Entries are in dependency order (a parent before its children).
/// </summary>
public sealed record WorkflowInsertParams(IReadOnlyList<WorkflowJobParams> Jobs)
{
    /// <summary>Add the batch's members to this existing batch (it must not have finished nor been cancelled).</summary>
    public long? BatchId { get; init; }
    /// <summary>Create a new batch for the insert's batch jobs.</summary>
    public bool NewBatch { get; init; }
    /// <summary>The new batch's description, or null.</summary>
    public string? Description { get; init; }
}

/// <summary>What a workflow insert wrote: the batch it created or added to (or null), and the new jobs' ids in input order.</summary>
public sealed record WorkflowInsertResult(long? BatchId, IReadOnlyList<long> JobIds);

/// <summary>One row of the batches table, with its callbacks.</summary>
public sealed record BatchRow
{
    public required long Id { get; init; }
    public string? Description { get; init; }
    public required int Total { get; init; }
    public required int Pending { get; init; }
    public required int Completed { get; init; }
    public required int Failed { get; init; }
    public required int Cancelled { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    /// <summary>The callbacks' job ids and roles, by id.</summary>
    public required IReadOnlyList<(long JobId, JobBatchRole Role)> Callbacks { get; init; }
}
