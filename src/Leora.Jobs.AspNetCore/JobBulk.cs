using Leora.Jobs.Storage;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// One action on many jobs (issue 19), for the HTTP API and the dashboard: each job through the client's own single-job
/// call, so every rule of a single retry, cancel, delete or run-now holds, and no statement or transaction grows with the
/// selection. A filter is walked by keyset on id, oldest first, so jobs the action moves out of the list are not met twice.
/// </summary>
internal static class JobBulk
{
    /// <summary>The most jobs one call acts on.</summary>
    public const int MaxJobs = 1000;

    private const int PageSize = 200;

    public static readonly IReadOnlyList<string> Actions = ["retry", "cancel", "delete", "runNow"];

    /// <summary>Null when <paramref name="request"/> is valid, else the field it gets wrong and why.</summary>
    public static (string Field, string Message)? Validate(BulkRequest request)
    {
        if (request.Action is null || !Actions.Contains(request.Action))
            return ("action", "action must be retry, cancel, delete or runNow.");
        if (request.Ids is { } ids)
        {
            if (ids.Count is 0 or > MaxJobs) return ("ids", $"ids must list 1–{MaxJobs} jobs.");
            if (request.Status is not null || request.Type is not null || request.Queue is not null)
                return ("ids", "Choose jobs by ids or by a filter (status, type, queue), not both.");
            return null;
        }
        if (string.IsNullOrEmpty(request.Status)) return ("status", "Send ids, or a status to choose jobs by filter (\"all\" for every status).");
        if (!JobListFilter.TryApply(request.Status, new JobQuery(), out _)) return ("status", $"status must be {JobListFilter.Names}.");
        if (request.Limit is < 1 or > MaxJobs) return ("limit", $"limit must be 1–{MaxJobs}.");
        return null;
    }

    /// <summary>Runs a request that <see cref="Validate"/> accepted.</summary>
    public static async Task<BulkResponse> RunAsync(IJobClient client, BulkRequest request, CancellationToken ct)
    {
        var unchanged = new List<BulkUnchanged>();
        int selected = 0, changed = 0;
        var more = false;
        if (request.Ids is { } ids)
        {
            foreach (var id in ids.Distinct())
            {
                selected++;
                if (await ActAsync(client, request.Action!, id, ct) is { } reason) unchanged.Add(new(id, reason));
                else changed++;
            }
            return new BulkResponse(request.Action!, selected, changed, unchanged, More: false);
        }

        JobListFilter.TryApply(request.Status, new JobQuery(), out var query);
        query = query with
        {
            Type = string.IsNullOrWhiteSpace(request.Type) ? null : request.Type.Trim(),
            Queue = string.IsNullOrWhiteSpace(request.Queue) ? null : request.Queue.Trim(),
            NewestFirst = false,
        };
        var limit = request.Limit ?? MaxJobs;
        string? cursor = null;
        do
        {
            var page = await client.ListAsync(query with { Cursor = cursor, Limit = Math.Min(PageSize, limit - selected) }, ct);
            foreach (var job in page.Items)
            {
                selected++;
                if (await ActAsync(client, request.Action!, job.Id, ct) is { } reason) unchanged.Add(new(job.Id, reason));
                else changed++;
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null && selected < limit);
        // Whether anything beyond the limit matched: one look past the last job tried.
        if (cursor is not null)
            more = (await client.ListAsync(query with { Cursor = cursor, Limit = 1 }, ct)).Items.Count > 0;
        return new BulkResponse(request.Action!, selected, changed, unchanged, more);
    }

    /// <summary>Null when the action changed the job, else why not.</summary>
    private static async Task<string?> ActAsync(IJobClient client, string action, long id, CancellationToken ct)
    {
        switch (action)
        {
            case "retry":
                return await client.RetryAsync(id, ct) switch
                {
                    JobActionResult.Done => null,
                    JobActionResult.NotFound => "not found",
                    _ => await client.GetAsync(id, ct) switch
                    {
                        null => "not found",
                        { Status: JobStatus.Failed or JobStatus.Cancelled } => "has used the most attempts a job may have",
                        var j => $"not failed or cancelled ({j.Status.ToName()})",
                    },
                };
            case "cancel":
                return await client.CancelAsync(id, ct) switch
                {
                    JobCancelResult.Cancelled or JobCancelResult.CancelRequested => null,
                    JobCancelResult.NotFound => "not found",
                    _ => "already finished",
                };
            case "delete":
                return await client.DeleteAsync(id, ct) switch
                {
                    JobActionResult.Done => null,
                    JobActionResult.NotFound => "not found",
                    _ => "running",
                };
            default:
                return await client.RunNowAsync(id, ct) switch
                {
                    JobActionResult.Done => null,
                    JobActionResult.NotFound => "not found",
                    _ => await client.GetAsync(id, ct) switch
                    {
                        null => "not found",
                        { Status: JobStatus.Pending } => "already due",
                        var j => $"not waiting ({j.Status.ToName()})",
                    },
                };
        }
    }
}
