using System.Text.Json;

namespace Leora.Jobs.Dashboard;

// The JSON the dashboard's own script reads (camelCase, see DashboardJson). Internal: the public HTTP API is
// a separate library; these shapes may change with the script.

internal sealed record SessionDto(bool SignedIn, bool ReadOnly, string? User, string Mode, bool KeysConfigured,
    string CsrfHeader, string CsrfToken, int PollMs, string Title, int RetryAllLimit);

internal sealed record SignInRequest(string? Key);

internal sealed record CountsDto(long Pending, long Scheduled, long Processing, long Completed, long Failed, long Cancelled);

internal sealed record NamedCountsDto(string Name, long Pending, long Processing);

internal sealed record HealthDto(string State, IReadOnlyList<string> Reasons);

internal sealed record OverviewDto(CountsDto Counts, double? OldestDuePendingAgeSeconds, long CompletedLastMinute, long FailedLastMinute,
    long CompletedLastHour, long FailedLastHour, IReadOnlyList<NamedCountsDto> ByType, IReadOnlyList<NamedCountsDto> ByQueue,
    HealthDto Health, DateTimeOffset Now);

internal sealed record ThroughputDto(DateTimeOffset Minute, long Completed, long Failed);

internal sealed record JobSummaryDto(long Id, string Type, string Queue, string Status, bool Scheduled, int Priority, int Attempts, int MaxAttempts,
    string? IdempotencyKey, int? Progress, string? Worker, DateTimeOffset CreatedAt, DateTimeOffset RunAt, DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt, string? LastError)
{
    public static JobSummaryDto From(JobInfo j, DateTimeOffset now) => new(j.Id, j.Type, j.Queue, j.Status.ToName(),
        j.Status == JobStatus.Pending && j.RunAt > now, j.Priority, j.Attempts, j.MaxAttempts, j.IdempotencyKey, j.Progress, j.Worker,
        j.CreatedAt, j.RunAt, j.StartedAt, j.CompletedAt, j.Errors.Count == 0 ? null : Truncate(j.Errors[^1].Message, 300));

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}

internal sealed record JobPageDto(IReadOnlyList<JobSummaryDto> Items, string? NextCursor);

internal sealed record JobErrorDto(int Attempt, string Message, string Type, string? StackTrace, DateTimeOffset At, string? Worker);

internal sealed record JobDetailDto(long Id, string Type, string Queue, string Status, bool Scheduled, int Priority, int Attempts, int MaxAttempts,
    string? IdempotencyKey, int? Progress, string? ProgressMessage, JsonElement Payload, JsonElement? Result, IReadOnlyList<JobErrorDto> Errors,
    string? Worker, DateTimeOffset? LockedUntil, bool CancelRequested, DateTimeOffset CreatedAt, DateTimeOffset RunAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, double? WaitedMs, double? RanMs, DateTimeOffset Now)
{
    public static JobDetailDto From(JobInfo j, DateTimeOffset now) => new(j.Id, j.Type, j.Queue, j.Status.ToName(),
        j.Status == JobStatus.Pending && j.RunAt > now, j.Priority, j.Attempts, j.MaxAttempts, j.IdempotencyKey, j.Progress, j.ProgressMessage,
        j.Payload, j.Result, [.. j.Errors.Select(e => new JobErrorDto(e.Attempt, e.Message, e.Type, e.StackTrace, e.At, e.Worker))],
        j.Worker, j.LockedUntil, j.CancelRequested, j.CreatedAt, j.RunAt, j.StartedAt, j.CompletedAt,
        j.StartedAt is { } s && s >= j.RunAt ? (s - j.RunAt).TotalMilliseconds : null,
        j.StartedAt is { } s2 ? ((j.CompletedAt ?? (j.Status == JobStatus.Processing ? now : s2)) - s2).TotalMilliseconds : null,
        now);
}

internal sealed record JobTypeDto(string Kind, string? Queue, int? Priority, int? MaxAttempts, double? TimeoutSeconds, JsonElement Template);

internal sealed record EnqueueRequest(string? Type, JsonElement Payload, string? Queue, int? Priority, double? DelaySeconds, DateTimeOffset? RunAt,
    int? MaxAttempts, string? IdempotencyKey);

internal sealed record EnqueueResultDto(long Id, bool Existing);

internal sealed record ActionResultDto(long Id, string Result);

internal sealed record RetryAllRequest(string? Type);

internal sealed record RetryAllResultDto(int Retried, int Skipped, bool More);

internal sealed record CleanupRequest(double? OlderThanHours);

internal sealed record CleanupResultDto(long Deleted);

internal sealed record NodesDto(IReadOnlyList<JobNodeInfo> Nodes);
