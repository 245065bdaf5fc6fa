using System.Globalization;
using Leora.Jobs.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

internal static partial class DashboardEndpoints
{
    private const int MaxPageSize = 200;

    /// <summary>The most jobs a list's total counts; past it the total reads "100,000+".</summary>
    internal const int TotalBound = 100_000;

    private static async Task<IResult> OverviewAsync(IJobClient client, DashboardHealth health, CancellationToken ct)
    {
        // Four independent reads, each its own connection: at once, so the page waits for the slowest, not their sum.
        var statsTask = client.StatsAsync(ct);
        var recentTask = client.ThroughputAsync(TimeSpan.FromMinutes(5), ct);
        // Retrying and dead are counted apart (issue 19), bounded as a list's total is; scheduled keeps only the first runs.
        var retryingTask = client.CountAsync(new JobQuery { Status = JobStatus.Pending, Scheduled = true, Attempted = true }, TotalBound, ct);
        var deadTask = client.CountAsync(new JobQuery { Status = JobStatus.Failed, Exhausted = true }, TotalBound, ct);
        await Task.WhenAll(statsTask, recentTask, retryingTask, deadTask);
        var (stats, recent, retrying, dead) = (await statsTask, await recentTask, await retryingTask, await deadTask);
        var by = stats.ByStatus;
        long Count(JobStatus s) => by.TryGetValue(s, out var n) ? n : 0;
        var counts = new CountsDto(stats.DuePending, Math.Max(0, stats.Scheduled - retrying), Count(JobStatus.Processing), Count(JobStatus.Completed),
            Count(JobStatus.Failed), Count(JobStatus.Cancelled), retrying, dead);
        static IReadOnlyList<NamedCountsDto> Named(IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>> d) =>
            [.. d.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new NamedCountsDto(p.Key,
                p.Value.TryGetValue(JobStatus.Pending, out var pe) ? pe : 0, p.Value.TryGetValue(JobStatus.Processing, out var pr) ? pr : 0))];
        return Json(new OverviewDto(counts, stats.OldestDuePendingAge?.TotalSeconds, stats.CompletedLastMinute, stats.FailedLastMinute,
            stats.CompletedLastHour, stats.FailedLastHour, Named(stats.ByType), Named(stats.ByQueue), health.Judge(stats, recent), stats.Now,
            [.. stats.Limits.Select(LimitDto.From)]));
    }

    private static async Task<IResult> ThroughputAsync(IJobClient client, int? minutes, CancellationToken ct)
    {
        var m = minutes ?? 60;
        if (m is < 1 or > 1440) return Problem(StatusCodes.Status400BadRequest, "Bad window", "minutes must be 1–1440.", "minutes");
        var points = await client.ThroughputAsync(TimeSpan.FromMinutes(m), ct);
        return Json(points.Select(p => new ThroughputDto(p.Minute, p.Completed, p.Failed)).ToList());
    }

    // The chart's history (docs/dashboard.md, "History"): from the store's bounded history table, never the jobs table.
    private static async Task<IResult> HistoryAsync(IJobClient client, string? range, CancellationToken ct)
    {
        JobHistoryRange? parsed = range switch
        {
            null or "" or "hour" => JobHistoryRange.Hour,
            "day" => JobHistoryRange.Day,
            "week" => JobHistoryRange.Week,
            _ => null,
        };
        if (parsed is not { } r) return Problem(StatusCodes.Status400BadRequest, "Bad range", "range is hour, day or week.", "range");
        var history = await client.HistoryAsync(r, ct);
        return Json(new HistoryDto(r.ToString().ToLowerInvariant(), (int)history.Bucket.TotalSeconds,
            [.. history.Points.Select(p => new HistoryPointDto(p.At, p.Completed, p.Failed))]));
    }

    private static async Task<IResult> TimelineAsync(long id, IJobClient client, CancellationToken ct) =>
        await client.TimelineAsync(id, ct) is { } events
            ? Json(new TimelineDto(id, [.. events.Select(e => new TimelineEventDto(JobEvent.KindName(e.Kind), e.At, e.Status.ToName(), e.Attempt, e.Worker, e.Message))]))
            : Problem(StatusCodes.Status404NotFound, "No such job", $"Job {id} does not exist (it may have been deleted).");

    private static async Task<IResult> NodesAsync(DashboardNodes nodes, CancellationToken ct) => Json(await nodes.ListAsync(ct));

    private static IResult Types(JobTypeRegistry registry) =>
        Json(registry.All.Select(d => new JobTypeDto(d.Kind, d.Options.Queue, d.Options.Priority, d.Options.MaxAttempts,
            d.Options.Timeout?.TotalSeconds, PayloadTemplate.For(d.ArgsType))).ToList());

    /// <summary>
    /// One page of a list. Keyset paging on id (the cursor is the last id seen), newest or oldest first; a search
    /// for an id or an idempotency key is a single indexed lookup. Never an OFFSET; the total is a count that stops at
    /// <see cref="TotalBound"/>.
    /// </summary>
    private static async Task<IResult> ListAsync(HttpContext context, IJobClient client, TimeProvider time, CancellationToken ct)
    {
        var q = context.Request.Query;
        var now = time.GetUtcNow();
        var search = q["q"].ToString().Trim();
        if (search.Length > 0)
        {
            if (search.Length > 200) return Problem(StatusCodes.Status400BadRequest, "Search too long", "Search for a job id or an idempotency key.", "q");
            var found = new List<JobInfo>();
            if (long.TryParse(search.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && await client.GetAsync(id, ct) is { } byId)
                found.Add(byId);
            var byKey = await client.ListAsync(new JobQuery { IdempotencyKey = search, Limit = 10 }, ct);
            found.AddRange(byKey.Items.Where(j => found.All(f => f.Id != j.Id)));
            return Json(new JobPageDto([.. found.Select(j => JobSummaryDto.From(j, now))], null, found.Count, false, found.Count));
        }

        var status = q["status"].ToString();
        if (!JobListFilter.TryApply(status, new JobQuery(), out var filter))
            return Problem(StatusCodes.Status400BadRequest, "Unknown status", $"'{status}' is not a list: {JobListFilter.Names}.", "status");
        var limit = 50;
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
            return Problem(StatusCodes.Status400BadRequest, "Bad limit", $"limit must be 1–{MaxPageSize}.", "limit");
        var order = q["order"].ToString();
        if (order is not ("" or "newest" or "oldest"))
            return Problem(StatusCodes.Status400BadRequest, "Bad order", "order is newest or oldest.", "order");
        if (q["payload"].ToString().Trim() is { Length: > 200 })
            return Problem(StatusCodes.Status400BadRequest, "Search too long", "The payload search may be at most 200 characters.", "payload");
        DateTimeOffset? createdFrom = null, createdTo = null, finishedFrom = null, finishedTo = null;
        foreach (var (name, set) in ((string, Action<DateTimeOffset>)[])[("createdFrom", v => createdFrom = v), ("createdTo", v => createdTo = v),
                     ("finishedFrom", v => finishedFrom = v), ("finishedTo", v => finishedTo = v)])
        {
            var text = q[name].ToString().Trim();
            if (text.Length == 0) continue;
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return Problem(StatusCodes.Status400BadRequest, "Bad time", $"{name} is not a time (ISO 8601).", name);
            set(at);
        }
        var query = filter with
        {
            PayloadContains = NullIfEmpty(q["payload"]),
            CreatedFrom = createdFrom,
            CreatedTo = createdTo,
            FinishedFrom = finishedFrom,
            FinishedTo = finishedTo,
            Type = NullIfEmpty(q["type"]),
            Queue = NullIfEmpty(q["queue"]),
            Cursor = NullIfEmpty(q["cursor"]),
            Limit = limit,
            NewestFirst = order != "oldest",
        };
        try
        {
            var page = await client.ListAsync(query, ct);
            // The total is counted up to a bound (issue 19): past it the list says "at least", and no refresh scans a large table.
            var total = await client.CountAsync(query, TotalBound, ct);
            return Json(new JobPageDto([.. page.Items.Select(j => JobSummaryDto.From(j, now))], page.NextCursor, total, total >= TotalBound, limit));
        }
        catch (JobValidationException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad query", ex.Message, ex.Field);
        }
    }

    private static async Task<IResult> GetAsync(long id, IJobClient client, TimeProvider time, CancellationToken ct) =>
        await client.GetAsync(id, ct) is { } job
            ? Json(JobDetailDto.From(job, time.GetUtcNow()))
            : Problem(StatusCodes.Status404NotFound, "No such job", $"Job {id} does not exist (it may have been deleted).");

    private static string? NullIfEmpty(Microsoft.Extensions.Primitives.StringValues v) => string.IsNullOrWhiteSpace(v) ? null : v.ToString().Trim();

    private static int RetryAllLimit(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<JobsDashboardOptions>>().Value.RetryAllLimit;
}
