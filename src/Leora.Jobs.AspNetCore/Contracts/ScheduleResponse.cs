using System.Text.Json;

namespace Leora.Jobs.AspNetCore;

/// <summary>A schedule on the wire: the HTTP API's and the CLI's <c>--json</c> shape.</summary>
public sealed record ScheduleResponse
{
    public required string Name { get; init; }
    public required string Cron { get; init; }
    public required string TimeZone { get; init; }
    public required string Type { get; init; }
    public required JsonElement Payload { get; init; }
    public string? Queue { get; init; }
    public int? Priority { get; init; }
    public int? MaxAttempts { get; init; }
    public required bool Enabled { get; init; }
    /// <summary>latest, all or skip.</summary>
    public required string Misfire { get; init; }
    public required int MisfireLimit { get; init; }
    /// <summary>allow or skip.</summary>
    public required string Overlap { get; init; }
    /// <summary>The next tick not yet enqueued (UTC); null when the expression has no further occurrence.</summary>
    public DateTimeOffset? NextRunAt { get; init; }
    /// <summary>The next five ticks from now, each in the schedule's zone and in UTC.</summary>
    public required IReadOnlyList<ScheduleRunTime> NextRuns { get; init; }
    /// <summary>The job of the latest tick or trigger.</summary>
    public long? LastJobId { get; init; }
    /// <summary>That job's status (pending, processing, completed, failed, cancelled); null when there is none or it was deleted.</summary>
    public string? LastJobStatus { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Maps the core read model.</summary>
    public static ScheduleResponse From(JobScheduleInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var s = info.Schedule;
        using var payload = JsonDocument.Parse(s.Payload);
        return new ScheduleResponse
        {
            Name = s.Name,
            Cron = s.Cron,
            TimeZone = s.TimeZone,
            Type = s.Type,
            Payload = payload.RootElement.Clone(),
            Queue = s.Queue,
            Priority = s.Priority,
            MaxAttempts = s.MaxAttempts,
            Enabled = s.Enabled,
            Misfire = JobSchedules.MisfireName(s.Misfire),
            MisfireLimit = s.MisfireLimit,
            Overlap = JobSchedules.OverlapName(s.Overlap),
            NextRunAt = info.NextRunAt,
            NextRuns = [.. info.NextRuns.Select(r => new ScheduleRunTime(r, r.ToUniversalTime()))],
            LastJobId = info.LastJobId,
            LastJobStatus = info.LastJobStatus?.ToName(),
            CreatedAt = info.CreatedAt,
            UpdatedAt = info.UpdatedAt,
        };
    }
}

/// <summary>One run time of a schedule: in its zone (with that instant's offset) and in UTC.</summary>
/// <param name="Local">The wall-clock time in the schedule's zone, with the zone's offset at that instant.</param>
/// <param name="Utc">The same instant in UTC.</param>
public sealed record ScheduleRunTime(DateTimeOffset Local, DateTimeOffset Utc);

/// <summary>The answer of <c>GET /api/jobs/schedules</c>: every schedule, by name.</summary>
/// <param name="Schedules">The schedules.</param>
public sealed record ScheduleListResponse(IReadOnlyList<ScheduleResponse> Schedules);
