using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>The outcome of an enqueue.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Existing">True when an idempotency key matched a job that was already there; nothing new was inserted.</param>
public readonly record struct EnqueueResult(long Id, bool Existing)
{
    private readonly JobRow? _row;

    /// <summary>
    /// An outcome that carries the row the insert wrote, or the existing row a taken idempotency key found: a store
    /// builds it from the insert's own answer, so that a caller can reply with the job without reading it back.
    /// </summary>
    public EnqueueResult(JobRow row, bool existing)
        : this((row ?? throw new ArgumentNullException(nameof(row))).Id, existing) =>
        _row = row;

    /// <summary>
    /// The job as this enqueue left it (or as the idempotency key found it), from the insert's own answer: no second
    /// read. Null from bulk enqueues (<see cref="IJobClient.EnqueueManyAsync{TArgs}(IEnumerable{TArgs}, EnqueueOptions?, CancellationToken)"/>),
    /// which answer with ids only. Mapped (its payload parsed) on each call.
    /// </summary>
    public JobInfo? ToJobInfo() => _row is null ? null : JobMapping.ToInfo(_row);

    /// <summary>Equal when both name the same job the same way; the row one may carry is not compared.</summary>
    public bool Equals(EnqueueResult other) => Id == other.Id && Existing == other.Existing;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Existing);
}
