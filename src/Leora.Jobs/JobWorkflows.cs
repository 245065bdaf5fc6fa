using System.Data.Common;
using System.Text.Json;
using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>The default <see cref="IJobWorkflows"/>: plans the call (<see cref="WorkflowPlanner"/>), then one store insert.</summary>
internal sealed class JobWorkflows(IJobStore store, JobClient client, JobSignal signal) : IJobWorkflows
{
    private const int MaxListLimit = 1000;

    public Task<WorkflowResult> EnqueueGraphAsync(IReadOnlyList<WorkflowJob> jobs, CancellationToken cancellationToken = default) =>
        InsertAsync(Entries(jobs, null), batch: null, transaction: null, cancellationToken);

    public Task<WorkflowResult> EnqueueGraphAsync(IReadOnlyList<WorkflowJob> jobs, DbTransaction transaction, CancellationToken cancellationToken = default) =>
        InsertAsync(Entries(jobs, null), batch: null, transaction ?? throw new ArgumentNullException(nameof(transaction)), cancellationToken);

    public Task<WorkflowResult> CreateBatchAsync(JobBatchRequest batch, CancellationToken cancellationToken = default) =>
        InsertAsync(BatchEntries(batch), batch, transaction: null, cancellationToken);

    public Task<WorkflowResult> CreateBatchAsync(JobBatchRequest batch, DbTransaction transaction, CancellationToken cancellationToken = default) =>
        InsertAsync(BatchEntries(batch), batch, transaction ?? throw new ArgumentNullException(nameof(transaction)), cancellationToken);

    public async Task<WorkflowResult> AddToBatchAsync(long batchId, IReadOnlyList<WorkflowJob> jobs, CancellationToken cancellationToken = default)
    {
        var (insert, order) = Plan(Entries(jobs, JobBatchRole.Member));
        var result = await store.WorkflowInsertAsync(insert with { BatchId = batchId }, null, cancellationToken);
        signal.Notify();
        return new WorkflowResult([.. order.Select(k => result.JobIds[k])], result.BatchId);
    }

    public async Task<JobBatch?> GetBatchAsync(long id, CancellationToken cancellationToken = default) =>
        await store.BatchGetAsync(id, cancellationToken) is { } row ? JobBatch.From(row) : null;

    public Task<JobCancelResult> CancelBatchAsync(long id, CancellationToken cancellationToken = default) =>
        store.BatchCancelAsync(id, cancellationToken);

    public async Task<IReadOnlyList<JobInfo>> ListBatchJobsAsync(long id, long? afterId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        CheckLimit(limit);
        var rows = await store.BatchJobListAsync(id, afterId, limit, cancellationToken);
        return [.. rows.Select(JobMapping.ToInfo)];
    }

    public async Task<IReadOnlyList<JobBatch>> ListBatchesAsync(long? beforeId = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        CheckLimit(limit);
        var rows = await store.BatchListAsync(beforeId, limit, cancellationToken);
        return [.. rows.Select(JobBatch.From)];
    }

    public async Task<JobBatchLink?> GetJobBatchAsync(long jobId, CancellationToken cancellationToken = default) =>
        await store.BatchJobGetAsync(jobId, cancellationToken) is { } link ? new JobBatchLink(link.BatchId, link.Role) : null;

    public async Task<IReadOnlyList<JobInfo>> ListParentsAsync(long jobId, long? afterId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        CheckLimit(limit);
        var rows = await store.JobParentListAsync(jobId, afterId, limit, cancellationToken);
        return [.. rows.Select(JobMapping.ToInfo)];
    }

    public async Task<IReadOnlyList<JobInfo>> ListDependantsAsync(long jobId, long? afterId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        CheckLimit(limit);
        var rows = await store.JobDependantListAsync(jobId, afterId, limit, cancellationToken);
        return [.. rows.Select(JobMapping.ToInfo)];
    }

    private static void CheckLimit(int limit)
    {
        if (limit is < 1 or > MaxListLimit) throw new JobValidationException($"limit must be 1–{MaxListLimit}.", "limit");
    }

    private static List<WorkflowPlanner.Entry> Entries(IReadOnlyList<WorkflowJob> jobs, JobBatchRole? role)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return [.. jobs.Select(j => new WorkflowPlanner.Entry(j, role))];
    }

    private static List<WorkflowPlanner.Entry> BatchEntries(JobBatchRequest batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Jobs is null or { Count: 0 }) throw new JobValidationException("A batch needs at least one job.", "jobs");
        if (batch.Description is { } d)
        {
            if (d.Length > WorkflowPlanner.MaxDescription)
                throw new JobValidationException($"description must be at most {WorkflowPlanner.MaxDescription} characters.", "description");
            StoredText.Require(d, "description");
        }
        var entries = Entries(batch.Jobs, JobBatchRole.Member);
        if (batch.OnComplete is { } complete) entries.Add(new(complete, JobBatchRole.OnComplete));
        if (batch.OnSuccess is { } success) entries.Add(new(success, JobBatchRole.OnSuccess));
        if (batch.OnFailure is { } failure) entries.Add(new(failure, JobBatchRole.OnFailure));
        return entries;
    }

    private (WorkflowInsertParams Insert, int[] Order) Plan(List<WorkflowPlanner.Entry> entries) =>
        WorkflowPlanner.Plan(entries, client.Untyped);

    private async Task<WorkflowResult> InsertAsync(List<WorkflowPlanner.Entry> entries, JobBatchRequest? batch, DbTransaction? transaction, CancellationToken ct)
    {
        var (insert, order) = Plan(entries);
        if (batch is not null) insert = insert with { NewBatch = true, Description = batch.Description };
        using var activity = JobsTelemetry.StartEnqueue(insert.Jobs[0].Job.Kind, insert.Jobs[0].Job.Queue, insert.Jobs.Count);
        var result = await store.WorkflowInsertAsync(insert, transaction, ct);
        signal.Notify();
        return ToResult(entries, order, result);
    }

    internal static WorkflowResult ToResult(IReadOnlyList<WorkflowPlanner.Entry> entries, int[] order, WorkflowInsertResult result)
    {
        long? Callback(JobBatchRole role)
        {
            for (var i = 0; i < entries.Count; i++) if (entries[i].Role == role) return result.JobIds[order[i]];
            return null;
        }
        var members = new List<long>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
            if (entries[i].Role is null or JobBatchRole.Member) members.Add(result.JobIds[order[i]]);
        return new WorkflowResult(members, result.BatchId)
        {
            OnCompleteJobId = Callback(JobBatchRole.OnComplete),
            OnSuccessJobId = Callback(JobBatchRole.OnSuccess),
            OnFailureJobId = Callback(JobBatchRole.OnFailure),
        };
    }

    /// <summary>The typed payload of a workflow job, serialized as a typed enqueue would.</summary>
    internal static JsonElement Payload<TArgs>(TArgs args) where TArgs : IJobArgs => JsonSerializer.SerializeToElement(args, JobJson.Options);
}
