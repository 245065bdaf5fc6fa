using Leora.Jobs.AspNetCore;
using Leora.Jobs.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Dashboard;

internal static partial class DashboardEndpoints
{
    private const int RetryAllPageSize = 200;

    private static async Task<IResult> EnqueueAsync(HttpContext context, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<EnqueueRequest>(context);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.Type)) return Problem(StatusCodes.Status400BadRequest, "Type required", "Choose a job type.", "type");
        if (body.DelaySeconds is < 0 or > 366 * 86400)
            return Problem(StatusCodes.Status400BadRequest, "Bad delay", "delaySeconds must be 0 to one year.", "delaySeconds");
        var options = new EnqueueOptions
        {
            Queue = string.IsNullOrWhiteSpace(body.Queue) ? null : body.Queue.Trim(),
            Priority = body.Priority,
            MaxAttempts = body.MaxAttempts,
            RunAt = body.RunAt,
            Delay = body.DelaySeconds is { } d && d > 0 ? TimeSpan.FromSeconds(d) : null,
            IdempotencyKey = string.IsNullOrWhiteSpace(body.IdempotencyKey) ? null : body.IdempotencyKey,
        };
        try
        {
            var result = await client.EnqueueAsync(body.Type.Trim(), body.Payload, options, ct);
            Log.Enqueued(logger, result.Id, body.Type, User(context).Name, result.Existing);
            return Json(new EnqueueResultDto(result.Id, result.Existing), result.Existing ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }
        catch (UnknownJobTypeException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown job type", ex.Message, "type");
        }
        catch (JobValidationException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid job", ex.Message, ex.Field);
        }
    }

    private static async Task<IResult> RetryAsync(HttpContext context, long id, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var result = await client.RetryAsync(id, ct);
        Log.JobAction(logger, "retry", id, User(context).Name, result.ToString());
        return result switch
        {
            JobActionResult.Done => Json(new ActionResultDto(id, "retried")),
            JobActionResult.NotFound => Problem(StatusCodes.Status404NotFound, "No such job", $"Job {id} does not exist."),
            _ => Problem(StatusCodes.Status409Conflict, "Cannot retry", JobClient.RetryRefusal(id, await client.GetAsync(id, ct))),
        };
    }

    private static async Task<IResult> CancelAsync(HttpContext context, long id, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var result = await client.CancelAsync(id, ct);
        Log.JobAction(logger, "cancel", id, User(context).Name, result.ToString());
        return result switch
        {
            JobCancelResult.Cancelled => Json(new ActionResultDto(id, "cancelled")),
            JobCancelResult.CancelRequested => Json(new ActionResultDto(id, "cancelRequested")),
            JobCancelResult.NotFound => Problem(StatusCodes.Status404NotFound, "No such job", $"Job {id} does not exist."),
            _ => Problem(StatusCodes.Status409Conflict, "Already finished", $"Job {id} has already finished."),
        };
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, long id, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var result = await client.DeleteAsync(id, ct);
        Log.JobAction(logger, "delete", id, User(context).Name, result.ToString());
        return result switch
        {
            JobActionResult.Done => Json(new ActionResultDto(id, "deleted")),
            JobActionResult.NotFound => Problem(StatusCodes.Status404NotFound, "No such job", $"Job {id} does not exist."),
            _ => Problem(StatusCodes.Status409Conflict, "Job is running", $"Job {id} is running; cancel it first."),
        };
    }

    private static async Task<IResult> RunNowAsync(HttpContext context, long id, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var result = await client.RunNowAsync(id, ct);
        Log.JobAction(logger, "runNow", id, User(context).Name, result.ToString());
        return result switch
        {
            JobActionResult.Done => Json(new ActionResultDto(id, "ranNow")),
            JobActionResult.NotFound => Problem(StatusCodes.Status404NotFound, "No such job", $"Job {id} does not exist."),
            _ => Problem(StatusCodes.Status409Conflict, "Cannot run now", await client.GetAsync(id, ct) is { Status: JobStatus.Pending }
                ? $"Job {id} is due already." : $"Job {id} is not waiting: only a scheduled or retrying job can be run now."),
        };
    }

    /// <summary>
    /// Retry, cancel, delete or run now many jobs (issue 19): the ids selected on a page, or every job matching the list's
    /// filter up to <see cref="JobBulk.MaxJobs"/> (the page asks first). The HTTP API's bulk call, shared (<see cref="JobBulk"/>).
    /// </summary>
    private static async Task<IResult> BulkAsync(HttpContext context, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<BulkRequestDto>(context);
        if (problem is not null) return problem;
        var request = new BulkRequest(body!.Action, body.Ids, body.Ids is null ? body.Status ?? "" : null,
            body.Ids is null ? body.Type : null, body.Ids is null ? body.Queue : null, body.Limit);
        if (JobBulk.Validate(request) is { } bad) return Problem(StatusCodes.Status400BadRequest, "Invalid bulk action", bad.Message, bad.Field);
        try
        {
            var result = await JobBulk.RunAsync(client, request, ct);
            var selection = request.Ids is null ? $"filter status={request.Status} type={request.Type ?? "*"} queue={request.Queue ?? "*"}" : "selected ids";
            Log.BulkAction(logger, result.Action, result.Selected, selection, User(context).Name, result.Changed);
            return Json(result);
        }
        catch (JobValidationException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid bulk action", ex.Message, ex.Field);
        }
    }

    /// <summary>
    /// Sends failed jobs (of one type, or all) back to pending, oldest first, at most
    /// <see cref="JobsDashboardOptions.RetryAllLimit"/> per call: pages through the failed list by keyset and
    /// retries each one, so it never holds a long transaction or loads the whole table.
    /// </summary>
    private static async Task<IResult> RetryAllAsync(HttpContext context, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<RetryAllRequest>(context);
        if (problem is not null) return problem;
        var type = string.IsNullOrWhiteSpace(body!.Type) ? null : body.Type.Trim();
        var limit = RetryAllLimit(context);
        int retried = 0, skipped = 0;
        string? cursor = null;
        var more = false;
        do
        {
            var page = await client.ListAsync(new JobQuery
            {
                Status = JobStatus.Failed, Type = type, NewestFirst = false, Cursor = cursor, Limit = Math.Min(RetryAllPageSize, limit - retried),
            }, ct);
            foreach (var job in page.Items)
            {
                // A job can change between the list and the retry (another operator, a cleanup): that is a skip, not an error.
                if (await client.RetryAsync(job.Id, ct) == JobActionResult.Done) retried++;
                else skipped++;
            }
            cursor = page.NextCursor;
            more = cursor is not null;
        }
        while (more && retried < limit);
        Log.RetriedAll(logger, retried, type ?? "(all)", User(context).Name);
        return Json(new RetryAllResultDto(retried, skipped, more));
    }

    private static async Task<IResult> CleanupAsync(HttpContext context, IJobClient client, ILogger<DashboardAuth> logger, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<CleanupRequest>(context);
        if (problem is not null) return problem;
        if (body!.OlderThanHours is not { } hours || hours < 0 || hours > 24 * 3650)
            return Problem(StatusCodes.Status400BadRequest, "Bad age", "olderThanHours must be 0 to 87600.", "olderThanHours");
        var olderThan = TimeSpan.FromHours(hours);
        var deleted = await client.CleanupAsync(olderThan, ct);
        Log.CleanedUp(logger, User(context).Name, deleted, olderThan);
        return Json(new CleanupResultDto(deleted));
    }
}
