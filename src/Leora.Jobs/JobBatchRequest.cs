namespace Leora.Jobs;

/// <summary>
/// A batch to create (<see cref="IJobWorkflows.CreateBatchAsync(JobBatchRequest, CancellationToken)"/>): its jobs, which may
/// depend on each other by reference, and up to three callbacks, each run once when every job has finished.
/// </summary>
public sealed record JobBatchRequest
{
    /// <summary>The batch's jobs (at least one).</summary>
    public required IReadOnlyList<WorkflowJob> Jobs { get; init; }
    /// <summary>Runs once every job has finished, whatever their outcome. Null: none.</summary>
    public WorkflowJob? OnComplete { get; init; }
    /// <summary>Runs once every job has completed; cancelled when one failed or was cancelled. Null: none.</summary>
    public WorkflowJob? OnSuccess { get; init; }
    /// <summary>Runs once every job has finished and one failed or was cancelled; cancelled otherwise. Null: none.</summary>
    public WorkflowJob? OnFailure { get; init; }
    /// <summary>A description for people (the dashboard, the API), at most 200 characters. Null: none.</summary>
    public string? Description { get; init; }
}
