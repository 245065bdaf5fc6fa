namespace Leora.Jobs;

/// <summary>What one workflow call enqueued: the jobs' ids in the order given, and the batch with its callbacks, if any.</summary>
/// <param name="JobIds">The new jobs' ids, in the order of the call's jobs.</param>
/// <param name="BatchId">The batch created or added to; null for a graph without a batch.</param>
public sealed record WorkflowResult(IReadOnlyList<long> JobIds, long? BatchId)
{
    /// <summary>The id of the batch's on-complete callback, or null.</summary>
    public long? OnCompleteJobId { get; init; }
    /// <summary>The id of the batch's on-success callback, or null.</summary>
    public long? OnSuccessJobId { get; init; }
    /// <summary>The id of the batch's on-failure callback, or null.</summary>
    public long? OnFailureJobId { get; init; }
}
