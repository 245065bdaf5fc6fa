using System.Globalization;
using Leora.Jobs.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Dashboard;

// Workflows (issue 14): the Batches page, a batch's view (its counts, callbacks and jobs) with its cancel, and the Workflow
// section of a job's page (its batch, parents and dependants). Every read is through IJobWorkflows, each an indexed lookup
// of the batch or dependency tables (docs/workflows.md); a read-only key sees them and gets 403 from the cancel.
internal static partial class DashboardEndpoints
{
    /// <summary>How many parents and dependants a job's page shows (the rest are counted as "more").</summary>
    private const int WorkflowLinks = 50;

    private static async Task<IResult> BatchesAsync(HttpContext context, IJobWorkflows workflows, CancellationToken ct)
    {
        var q = context.Request.Query;
        long? before = null;
        if (q.TryGetValue("before", out var b))
        {
            if (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Problem(StatusCodes.Status400BadRequest, "Bad cursor", "before is a batch id.", "before");
            before = parsed;
        }
        var limit = 25;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
            return Problem(StatusCodes.Status400BadRequest, "Bad limit", $"limit must be 1–{MaxPageSize}.", "limit");
        var page = await workflows.ListBatchesAsync(before, limit, ct);
        return Json(new BatchListDto([.. page.Select(BatchSummaryDto.From)], page.Count == limit ? page[^1].Id : null));
    }

    private static async Task<IResult> BatchAsync(long id, IJobWorkflows workflows, IJobClient client, CancellationToken ct) =>
        await workflows.GetBatchAsync(id, ct) is { } batch ? Json(await BatchDetailAsync(batch, client, ct)) : NoSuchBatch(id);

    private static async Task<BatchDetailDto> BatchDetailAsync(JobBatch batch, IJobClient client, CancellationToken ct)
    {
        var callbacks = new List<BatchCallbackDto>(3);
        foreach (var (role, jobId) in new[] { (JobBatchRole.OnComplete, batch.OnCompleteJobId),
                     (JobBatchRole.OnSuccess, batch.OnSuccessJobId), (JobBatchRole.OnFailure, batch.OnFailureJobId) })
        {
            if (jobId is not { } cb) continue;
            var job = await client.GetAsync(cb, ct);
            callbacks.Add(new BatchCallbackDto(JobBatchRoleNames.Name(role), cb, job?.Type, job?.Status.ToName()));
        }
        var summary = BatchSummaryDto.From(batch);
        return new BatchDetailDto(summary.Batch, summary.State, callbacks);
    }

    /// <summary>A page of a batch's jobs by id (keyset: the cursor is the last id seen), with the batch's total.</summary>
    private static async Task<IResult> BatchJobsAsync(long id, HttpContext context, IJobWorkflows workflows, TimeProvider time, CancellationToken ct)
    {
        if (await workflows.GetBatchAsync(id, ct) is not { } batch) return NoSuchBatch(id);
        var q = context.Request.Query;
        long? after = null;
        if (q.TryGetValue("cursor", out var c) && c.ToString().Length > 0)
        {
            if (!long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Problem(StatusCodes.Status400BadRequest, "Bad cursor", "cursor is a job id.", "cursor");
            after = parsed;
        }
        var limit = 50;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
            return Problem(StatusCodes.Status400BadRequest, "Bad limit", $"limit must be 1–{MaxPageSize}.", "limit");
        var page = await workflows.ListBatchJobsAsync(id, after, limit, ct);
        var now = time.GetUtcNow();
        var next = page.Count == limit ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return Json(new JobPageDto([.. page.Select(j => JobSummaryDto.From(j, now))], next, batch.Total, false, limit));
    }

    private static async Task<IResult> BatchCancelAsync(HttpContext context, long id, IJobWorkflows workflows, IJobClient client,
        ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var result = await workflows.CancelBatchAsync(id, ct);
        Log.BatchAction(logger, "cancel", id, User(context).Name, result.ToString());
        return result switch
        {
            JobCancelResult.NotFound => NoSuchBatch(id),
            JobCancelResult.AlreadyFinished => Problem(StatusCodes.Status409Conflict, "Already finished", $"Batch {id} has finished or was cancelled already."),
            _ => await workflows.GetBatchAsync(id, ct) is { } batch ? Json(await BatchDetailAsync(batch, client, ct)) : NoSuchBatch(id),
        };
    }

    private static async Task<IResult> JobWorkflowAsync(long id, IJobWorkflows workflows, IJobClient client, TimeProvider time, CancellationToken ct)
    {
        if (await client.GetAsync(id, ct) is null) return Problem(StatusCodes.Status404NotFound, "No such job", $"Job {id} does not exist (it may have been deleted).");
        var now = time.GetUtcNow();
        WorkflowBatchDto? batch = null;
        if (await workflows.GetJobBatchAsync(id, ct) is { } link && await workflows.GetBatchAsync(link.BatchId, ct) is { } b)
        {
            var summary = BatchSummaryDto.From(b);
            batch = new WorkflowBatchDto(JobBatchRoleNames.Name(link.Role), summary.Batch, summary.State);
        }
        // One more than shown: whether there are more is known without a count.
        var parents = await workflows.ListParentsAsync(id, null, WorkflowLinks + 1, ct);
        var dependants = await workflows.ListDependantsAsync(id, null, WorkflowLinks + 1, ct);
        return Json(new JobWorkflowDto(batch,
            [.. parents.Take(WorkflowLinks).Select(j => JobSummaryDto.From(j, now))], parents.Count > WorkflowLinks,
            [.. dependants.Take(WorkflowLinks).Select(j => JobSummaryDto.From(j, now))], dependants.Count > WorkflowLinks));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NoSuchBatch(long id) =>
        Problem(StatusCodes.Status404NotFound, "No such batch", $"Batch {id} does not exist.");
}
