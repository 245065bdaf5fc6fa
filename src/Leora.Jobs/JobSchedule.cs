namespace Leora.Jobs;

/// <summary>
/// A recurring schedule: at each tick of <see cref="Cron"/>, read in <see cref="TimeZone"/>, one job of <see cref="Type"/>
/// with <see cref="Payload"/> is enqueued, however many nodes and batch calls evaluate it. Declared in code
/// (<see cref="LeoraJobsBuilder.AddSchedule(JobSchedule)"/>), in configuration (<c>Jobs:Schedules:&lt;name&gt;</c>), or
/// created through <see cref="IJobSchedules"/> (the HTTP API, the CLI, the dashboard).
/// </summary>
public sealed record JobSchedule
{
    /// <summary>The unique name: 1–100 letters, digits, <c>_ - . :</c>.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The cron expression: 5 fields (minute hour day-of-month month day-of-week), 6 fields (seconds first), or a macro
    /// (<c>@hourly</c>, <c>@daily</c>, <c>@weekly</c>, <c>@monthly</c>, <c>@yearly</c>, …), as Cronos reads them.
    /// </summary>
    public required string Cron { get; init; }

    /// <summary>The IANA time zone the expression is read in, for example <c>Europe/Berlin</c>. Defaults to <c>UTC</c>.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The job type of each tick's job.</summary>
    public required string Type { get; init; }

    /// <summary>The payload of each tick's job, as JSON text; it must bind to the type's arguments. Defaults to <c>{}</c>.</summary>
    public string Payload { get; init; } = "{}";

    /// <summary>The queue. Defaults to null: the type's, else <see cref="JobsOptions.DefaultQueue"/>.</summary>
    public string? Queue { get; init; }

    /// <summary>The priority. Defaults to null: the type's, else 0.</summary>
    public int? Priority { get; init; }

    /// <summary>The attempts each job gets, 1–1000. Defaults to null: the type's, else <see cref="JobsOptions.DefaultMaxAttempts"/>.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>Whether ticks are enqueued. Defaults to true. Ticks missed while disabled are never enqueued.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>What to do with ticks missed during downtime. Defaults to <see cref="MisfirePolicy.RunLatest"/>.</summary>
    public MisfirePolicy Misfire { get; init; } = MisfirePolicy.RunLatest;

    /// <summary>The most missed ticks enqueued at once under <see cref="MisfirePolicy.RunAll"/>, 1–1000. Defaults to 10.</summary>
    public int MisfireLimit { get; init; } = 10;

    /// <summary>What to do at a tick while the previous job is unfinished. Defaults to <see cref="OverlapPolicy.Allow"/>.</summary>
    public OverlapPolicy Overlap { get; init; } = OverlapPolicy.Allow;
}
