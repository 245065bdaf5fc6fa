using System.Data.Common;

namespace Leora.Jobs;

/// <summary>
/// Workflows (docs/workflows.md): graphs of jobs that wait for each other, and batches with callbacks. Everything one call
/// enqueues is written in one transaction. Bad input throws <see cref="JobValidationException"/> (naming the field: a cycle,
/// an unknown parent or reference, a finished batch) or <see cref="UnknownJobTypeException"/>, and writes nothing. A single
/// job with parents or a batch is also enqueued by <see cref="IJobClient"/> (<see cref="EnqueueOptions.DependsOn"/>,
/// <see cref="EnqueueOptions.BatchId"/>); a running handler enqueues its children through its context.
/// </summary>
public interface IJobWorkflows
{
    /// <summary>Enqueues jobs that may depend on each other by reference (<see cref="WorkflowJob.Ref"/>) and on existing jobs.</summary>
    Task<WorkflowResult> EnqueueGraphAsync(IReadOnlyList<WorkflowJob> jobs, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="EnqueueGraphAsync(IReadOnlyList{WorkflowJob}, CancellationToken)"/>, in the caller's transaction.</summary>
    Task<WorkflowResult> EnqueueGraphAsync(IReadOnlyList<WorkflowJob> jobs, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Creates a batch with its jobs and callbacks.</summary>
    Task<WorkflowResult> CreateBatchAsync(JobBatchRequest batch, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="CreateBatchAsync(JobBatchRequest, CancellationToken)"/>, in the caller's transaction.</summary>
    Task<WorkflowResult> CreateBatchAsync(JobBatchRequest batch, DbTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Adds jobs to a batch that is still running (none of its callbacks released yet).</summary>
    Task<WorkflowResult> AddToBatchAsync(long batchId, IReadOnlyList<WorkflowJob> jobs, CancellationToken cancellationToken = default);

    /// <summary>Reads a batch's progress, or null.</summary>
    Task<JobBatch?> GetBatchAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a batch: its callbacks and its pending and waiting members are cancelled, its running members asked to stop.
    /// <see cref="Storage.JobCancelResult.AlreadyFinished"/> when it had finished or was cancelled already.
    /// </summary>
    Task<Storage.JobCancelResult> CancelBatchAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>A page of a batch's members, by id after <paramref name="afterId"/> (1–1000 of them).</summary>
    Task<IReadOnlyList<JobInfo>> ListBatchJobsAsync(long id, long? afterId = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Batches, newest first: a page of those before <paramref name="beforeId"/>, or the newest (1–1000 of them).</summary>
    Task<IReadOnlyList<JobBatch>> ListBatchesAsync(long? beforeId = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>The batch a job belongs to (as a member or a callback) and its role in it, or null: in no batch, or no such job.</summary>
    Task<JobBatchLink?> GetJobBatchAsync(long jobId, CancellationToken cancellationToken = default);

    /// <summary>A page of the jobs a job depends on (its parents), by id after <paramref name="afterId"/> (1–1000 of them).</summary>
    Task<IReadOnlyList<JobInfo>> ListParentsAsync(long jobId, long? afterId = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>A page of the jobs that depend on a job (its dependants), by id after <paramref name="afterId"/> (1–1000 of them).</summary>
    Task<IReadOnlyList<JobInfo>> ListDependantsAsync(long jobId, long? afterId = null, int limit = 100, CancellationToken cancellationToken = default);
}
