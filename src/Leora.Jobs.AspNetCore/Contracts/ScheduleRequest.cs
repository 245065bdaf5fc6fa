using System.Text.Json;

namespace Leora.Jobs.AspNetCore;

/// <summary>
/// The body of <c>POST /api/jobs/schedules</c> (create) and <c>PUT /api/jobs/schedules/{name}</c> (replace). Unknown fields
/// are refused. On PUT the name comes from the path; a name in the body must match it.
/// </summary>
/// <param name="Name">The unique name: 1–100 letters, digits, <c>_ - . :</c>. Required on create.</param>
/// <param name="Cron">5 fields (minute hour day-of-month month day-of-week), 6 (seconds first), or a macro such as <c>@daily</c>.</param>
/// <param name="TimeZone">The IANA zone the expression is read in, such as <c>Europe/Berlin</c>. Defaults to <c>UTC</c>.</param>
/// <param name="Type">The job type of each tick's job.</param>
/// <param name="Payload">The payload of each tick's job; must bind to the type's payload. Defaults to <c>{}</c>.</param>
/// <param name="Queue">The queue. Defaults to the type's.</param>
/// <param name="Priority">The priority. Defaults to the type's.</param>
/// <param name="MaxAttempts">Attempts per job, 1–1000. Defaults to the type's.</param>
/// <param name="Enabled">Whether ticks are enqueued. Defaults to true.</param>
/// <param name="Misfire">After downtime: <c>latest</c> (default: the latest missed tick once), <c>all</c> (every missed tick, up to misfireLimit) or <c>skip</c>.</param>
/// <param name="MisfireLimit">The most missed ticks enqueued at once under <c>all</c>, 1–1000. Defaults to 10.</param>
/// <param name="Overlap"><c>allow</c> (default) or <c>skip</c> (no job while the previous tick's job is pending or processing).</param>
public sealed record ScheduleRequest(
    string? Name = null,
    string? Cron = null,
    string? TimeZone = null,
    string? Type = null,
    JsonElement? Payload = null,
    string? Queue = null,
    int? Priority = null,
    int? MaxAttempts = null,
    bool? Enabled = null,
    string? Misfire = null,
    int? MisfireLimit = null,
    string? Overlap = null);
