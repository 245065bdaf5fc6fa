using System.Text.Json;

namespace Leora.Jobs.AspNetCore;

/// <summary>One job of <c>POST /api/batches</c> (docs/workflows.md). Unknown fields are refused.</summary>
/// <param name="Type">The job type's stable name.</param>
/// <param name="Payload">The job's arguments; must bind to the type's payload.</param>
public sealed record WorkflowJobRequest(string Type, JsonElement Payload)
{
    /// <summary>A name for this job within the request (1–100 characters, unique), for other jobs' <see cref="DependsOn"/>.</summary>
    public string? Ref { get; init; }
    /// <summary>The <see cref="Ref"/>s of jobs of the same request this one waits for.</summary>
    public IReadOnlyList<string>? DependsOn { get; init; }
    /// <summary>Existing jobs (by id) this one waits for.</summary>
    public IReadOnlyList<long>? DependsOnJobs { get; init; }
    /// <summary>When a parent fails or is cancelled: <c>cancel</c> (the default) or <c>run_anyway</c>.</summary>
    public ParentFailurePolicy? OnParentFailure { get; init; }
    /// <summary>Higher runs first. Defaults to the type's priority.</summary>
    public int? Priority { get; init; }
    /// <summary>Attempts before the job fails for good, 1–1000. Defaults to the type's.</summary>
    public int? MaxAttempts { get; init; }
    /// <summary>The queue. Defaults to the type's.</summary>
    public string? Queue { get; init; }

    internal WorkflowJob ToWorkflowJob() => new(Type, Payload)
    {
        Ref = Ref,
        DependsOn = DependsOn,
        Options = new EnqueueOptions
        {
            Priority = Priority,
            MaxAttempts = MaxAttempts,
            Queue = Queue,
            DependsOn = DependsOnJobs,
            OnParentFailure = OnParentFailure ?? ParentFailurePolicy.Cancel,
        },
    };
}

/// <summary>The body of <c>POST /api/batches</c>: the batch's jobs and up to three callbacks, each run once when every job has finished.</summary>
/// <param name="Jobs">The batch's jobs (1–100,000).</param>
public sealed record BatchCreateRequest(IReadOnlyList<WorkflowJobRequest> Jobs)
{
    /// <summary>A description for people, at most 200 characters.</summary>
    public string? Description { get; init; }
    /// <summary>Runs once every job has finished, whatever their outcome.</summary>
    public WorkflowJobRequest? OnComplete { get; init; }
    /// <summary>Runs once every job has completed; cancelled when one failed or was cancelled.</summary>
    public WorkflowJobRequest? OnSuccess { get; init; }
    /// <summary>Runs once every job has finished and one failed or was cancelled; cancelled otherwise.</summary>
    public WorkflowJobRequest? OnFailure { get; init; }

    /// <summary>The library's request (the HTTP API's <c>POST /api/batches</c> and the CLI's <c>batches create</c> share it).</summary>
    internal JobBatchRequest ToJobBatchRequest() => new()
    {
        Jobs = [.. Jobs.Select(j => j.ToWorkflowJob())],
        Description = Description,
        OnComplete = OnComplete?.ToWorkflowJob(),
        OnSuccess = OnSuccess?.ToWorkflowJob(),
        OnFailure = OnFailure?.ToWorkflowJob(),
    };
}

/// <summary>A batch and its progress (<c>GET /api/batches/{id}</c>; <c>POST /api/batches</c> adds <see cref="JobIds"/>).</summary>
public sealed record JobBatchResponse(
    long Id,
    string? Description,
    int Total,
    int Pending,
    int Completed,
    int Failed,
    int Cancelled,
    bool Finished,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? CancelledAt,
    long? OnCompleteJobId,
    long? OnSuccessJobId,
    long? OnFailureJobId)
{
    /// <summary>The new jobs' ids in the order of the request (on create only).</summary>
    public IReadOnlyList<long>? JobIds { get; init; }

    internal static JobBatchResponse From(JobBatch b) => new(b.Id, b.Description, b.Total, b.Pending, b.Completed, b.Failed, b.Cancelled,
        b.IsFinished, b.CreatedAt, b.FinishedAt, b.CancelledAt, b.OnCompleteJobId, b.OnSuccessJobId, b.OnFailureJobId);
}
