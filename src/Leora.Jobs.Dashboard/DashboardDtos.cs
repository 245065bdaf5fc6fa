using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Leora.Jobs.AspNetCore;

namespace Leora.Jobs.Dashboard;

// The JSON the dashboard's own script reads (camelCase, see DashboardJson). Internal: the public HTTP API is
// a separate library; these shapes may change with the script.

internal sealed record SessionDto(bool SignedIn, bool ReadOnly, string? User, string Mode, bool KeysConfigured,
    string CsrfHeader, string CsrfToken, int PollMs, string Title, int RetryAllLimit);

internal sealed record SignInRequest(string? Key);

internal sealed record CountsDto(long Pending, long Scheduled, long Processing, long Completed, long Failed, long Cancelled, long Retrying, long Dead);

internal sealed record NamedCountsDto(string Name, long Pending, long Processing);

internal sealed record HealthDto(string State, IReadOnlyList<string> Reasons);

internal sealed record OverviewDto(CountsDto Counts, double? OldestDuePendingAgeSeconds, long CompletedLastMinute, long FailedLastMinute,
    long CompletedLastHour, long FailedLastHour, IReadOnlyList<NamedCountsDto> ByType, IReadOnlyList<NamedCountsDto> ByQueue,
    HealthDto Health, DateTimeOffset Now, IReadOnlyList<LimitDto> Limits);

/// <summary>A rate or concurrency limit with its usage now, for the overview (read-only; docs/limits.md).</summary>
internal sealed record LimitDto(string Scope, string Name, int? Rate, double? RatePeriodSeconds, int StartedInWindow, int? Concurrency, int Running,
    int? KeyConcurrency, int KeysRunning)
{
    public static LimitDto From(JobLimitUsage u) => new(JobLimit.ScopeName(u.Limit.Scope), u.Limit.Name, u.Limit.Rate, u.Limit.RatePeriod?.TotalSeconds,
        u.StartedInWindow, u.Limit.Concurrency, u.Running, u.Limit.KeyConcurrency, u.KeysRunning);
}

internal sealed record ThroughputDto(DateTimeOffset Minute, long Completed, long Failed);

internal sealed record HistoryDto(string Range, int BucketSeconds, IReadOnlyList<HistoryPointDto> Points);

internal sealed record HistoryPointDto(DateTimeOffset At, long Completed, long Failed);

internal sealed record TimelineDto(long Id, IReadOnlyList<TimelineEventDto> Events);

internal sealed record TimelineEventDto(string Kind, DateTimeOffset At, string Status, int Attempt, string? Worker, string? Message);

internal sealed record JobSummaryDto(long Id, string Type, string Queue, string Status, bool Scheduled, int Priority, int Attempts, int MaxAttempts,
    string? IdempotencyKey, int? Progress, string? Worker, DateTimeOffset CreatedAt, DateTimeOffset RunAt, DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt, string? LastError, bool Retrying, bool Dead, string Args)
{
    public static JobSummaryDto From(JobInfo j, DateTimeOffset now) => new(j.Id, j.Type, j.Queue, j.Status.ToName(),
        j.Status == JobStatus.Pending && j.RunAt > now && j.Attempts == 0, j.Priority, j.Attempts, j.MaxAttempts, j.IdempotencyKey, j.Progress, j.Worker,
        j.CreatedAt, j.RunAt, j.StartedAt, j.CompletedAt, j.Errors.Count == 0 ? null : Truncate(j.Errors[^1].Message, 300),
        j.Status == JobStatus.Pending && j.RunAt > now && j.Attempts > 0, j.Status == JobStatus.Failed && j.Attempts >= j.MaxAttempts,
        ArgsSummary.Of(j.Payload));

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}

/// <summary>A page of a list, with the list's total (counted up to a bound: <see cref="TotalCapped"/> says it was reached) and the page size.</summary>
internal sealed record JobPageDto(IReadOnlyList<JobSummaryDto> Items, string? NextCursor, long Total, bool TotalCapped, int PageSize);

internal sealed record BulkRequestDto(string? Action, IReadOnlyList<long>? Ids, string? Status, string? Type, string? Queue, int? Limit);

/// <summary>
/// A job in the detail view: the API's <see cref="JobResponse"/> (the one job shape on the wire) and what the view
/// derives from it. <see cref="DashboardJson"/> keeps the member order the script has always received.
/// </summary>
internal sealed record JobDetailDto : JobResponse
{
    [SetsRequiredMembers]
    private JobDetailDto(JobResponse job) : base(job)
    {
    }

    /// <summary>Pending and not due yet.</summary>
    public bool Scheduled { get; init; }
    /// <summary>From due to started, for a job that started on or after it was due.</summary>
    public double? WaitedMs { get; init; }
    /// <summary>How long the last attempt ran (so far, for a running job).</summary>
    public double? RanMs { get; init; }
    /// <summary>This process's time when the job was read.</summary>
    public DateTimeOffset Now { get; init; }

    public static JobDetailDto From(JobInfo j, DateTimeOffset now) => new(JobResponse.From(j))
    {
        Scheduled = j.Status == JobStatus.Pending && j.RunAt > now,
        WaitedMs = j.StartedAt is { } s && s >= j.RunAt ? (s - j.RunAt).TotalMilliseconds : null,
        RanMs = j.StartedAt is { } s2 ? ((j.CompletedAt ?? (j.Status == JobStatus.Processing ? now : s2)) - s2).TotalMilliseconds : null,
        Now = now,
    };
}

internal sealed record JobTypeDto(string Kind, string? Queue, int? Priority, int? MaxAttempts, double? TimeoutSeconds, JsonElement Template);

internal sealed record EnqueueResultDto(long Id, bool Existing);

internal sealed record ActionResultDto(long Id, string Result);

internal sealed record RetryAllRequest(string? Type);

internal sealed record RetryAllResultDto(int Retried, int Skipped, bool More);

internal sealed record CleanupRequest(double? OlderThanHours);

internal sealed record CleanupResultDto(long Deleted);

internal sealed record NodesDto(IReadOnlyList<NodeDto> Nodes);

/// <summary>
/// A worker node in the nodes panel: one registered in the nodes table (from the core's <see cref="JobNode"/>, as the API's
/// <see cref="NodeResponse"/> is), or one known only as this process or by the jobs it runs (no times, no concurrency).
/// The panel's own shape, not the API's: the script reads the raw registered queues, <c>lastSeen</c>, <c>isLeader</c>
/// and the running jobs themselves where the API sends a parsed list, <c>heartbeatAt</c>, <c>leader</c> and a count.
/// </summary>
internal sealed record NodeDto(string Name, bool ThisProcess, bool Working, int? Concurrency, string? Queues, DateTimeOffset? StartedAt,
    DateTimeOffset? LastSeen, bool Silent, bool IsLeader, IReadOnlyList<NodeRunningJobDto> Running)
{
    public static NodeDto From(JobNode n, bool thisProcess, IReadOnlyList<NodeRunningJobDto> running) => new(n.Name, thisProcess, Working: true,
        n.Concurrency, string.IsNullOrEmpty(n.RegisteredQueues) ? null : n.RegisteredQueues, n.StartedAt, n.HeartbeatAt, n.Silent, n.IsLeader, running);

    public static NodeDto Unregistered(string name, bool thisProcess, bool working, int? concurrency, IReadOnlyList<NodeRunningJobDto> running) =>
        new(name, thisProcess, working, concurrency, Queues: null, StartedAt: null, LastSeen: null, Silent: false, IsLeader: false, running);
}

/// <summary>A job a node holds a lease on now.</summary>
internal sealed record NodeRunningJobDto(long Id, string Type, string Queue, int? Progress, DateTimeOffset? StartedAt)
{
    public static NodeRunningJobDto From(JobInfo j) => new(j.Id, j.Type, j.Queue, j.Progress, j.StartedAt);
}

/// <summary>A queue or a job type on the Queues or Job types page.</summary>
internal sealed record GroupDto(string Name, long Due, long Scheduled, long Retrying, long Processing, long CompletedLastHour, long FailedLastHour,
    double? OldestDueAgeSeconds, DateTimeOffset? PausedAt, LimitDto? Limit, IReadOnlyList<string> Workers, TypeConfigDto? Registered);

/// <summary>A registered job type's configuration: where its jobs go, their priority, attempts and timeout.</summary>
internal sealed record TypeConfigDto(string Queue, int Priority, int MaxAttempts, double? TimeoutSeconds);

internal sealed record GroupsDto(string Scope, IReadOnlyList<GroupDto> Rows, DateTimeOffset Now);

/// <summary>A batch on the Batches page or the batch view: the API's shape, and running, finished or cancelled.</summary>
internal sealed record BatchSummaryDto(JobBatchResponse Batch, string State)
{
    public static BatchSummaryDto From(JobBatch b) => new(JobBatchResponse.From(b), b.CancelledAt is not null ? "cancelled" : b.IsFinished ? "finished" : "running");
}

internal sealed record BatchListDto(IReadOnlyList<BatchSummaryDto> Batches, long? NextBefore);

/// <summary>One callback of a batch: its role (<c>on_complete</c>, <c>on_success</c>, <c>on_failure</c>), job and status (null: deleted).</summary>
internal sealed record BatchCallbackDto(string Role, long Id, string? Type, string? Status);

internal sealed record BatchDetailDto(JobBatchResponse Batch, string State, IReadOnlyList<BatchCallbackDto> Callbacks);

/// <summary>The batch of a job on its page: the job's role in it and the batch's progress.</summary>
internal sealed record WorkflowBatchDto(string Role, JobBatchResponse Batch, string State);

/// <summary>A job's place in workflows (its page's Workflow section): its batch, the first jobs it waits for and that wait for it.</summary>
internal sealed record JobWorkflowDto(WorkflowBatchDto? Batch, IReadOnlyList<JobSummaryDto> Parents, bool MoreParents,
    IReadOnlyList<JobSummaryDto> Dependants, bool MoreDependants);
