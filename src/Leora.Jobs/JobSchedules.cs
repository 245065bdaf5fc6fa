using System.Globalization;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// The default <see cref="IJobSchedules"/>: validates definitions, computes ticks in each schedule's zone (Cronos), and
/// enqueues due ticks with a compare-and-set on the schedule's next run, in one transaction with the tick's job.
/// "Now" is the store's clock (<see cref="IJobStore.NowAsync"/>: the database's on PostgreSQL), so every node and batch
/// call judges what is due by one clock.
/// </summary>
internal sealed class JobSchedules(
    IJobStore store,
    JobTypeRegistry registry,
    JobSignal signal,
    IOptions<JobsOptions> options,
    IEnumerable<JobScheduleDeclaration> declarations,
    ILogger<JobSchedules> logger) : IJobSchedules
{
    /// <summary>Schedules read and advanced per transaction: one commit for many ticks, and a short write lock on SQLite.</summary>
    internal const int DueBatchSize = 500;

    /// <summary>How many next runs a schedule shows.</summary>
    internal const int ShownRuns = 5;

    private const int MaxNameLength = 100;
    private const int MaxMisfireLimit = 1000;

    private readonly JobsOptions _options = options.Value;

    public async Task<JobScheduleInfo?> CreateAsync(JobSchedule schedule, CancellationToken cancellationToken = default)
    {
        var (row, _) = await ToRowAsync(schedule, cancellationToken);
        if (!await store.ScheduleInsertAsync(row, cancellationToken)) return null;
        return await GetAsync(schedule.Name, cancellationToken);
    }

    public async Task<JobScheduleInfo?> UpdateAsync(JobSchedule schedule, CancellationToken cancellationToken = default)
    {
        var (row, _) = await ToRowAsync(schedule, cancellationToken);
        if (await store.ScheduleGetAsync(schedule.Name, cancellationToken) is not { } old) return null;
        // The timing unchanged: the stored next run stays, so a tick that is due but not yet enqueued is not lost.
        if (old.Enabled && row.Enabled && old.Cron == row.Cron && old.TimeZone == row.TimeZone) row = row with { NextRunAt = old.NextRunAt };
        if (!await store.ScheduleUpdateAsync(row, cancellationToken)) return null;
        return await GetAsync(schedule.Name, cancellationToken);
    }

    public async Task<JobScheduleInfo?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(name) || StoredText.Problem(name) is not null) return null;
        var row = await store.ScheduleGetAsync(name, cancellationToken);
        return row is null ? null : ToInfo(row, await store.NowAsync(cancellationToken));
    }

    public async Task<IReadOnlyList<JobScheduleInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = await store.ScheduleListAsync(cancellationToken);
        var now = await store.NowAsync(cancellationToken);
        return [.. rows.Select(r => ToInfo(r, now))];
    }

    public async Task<JobScheduleInfo?> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(name) || StoredText.Problem(name) is not null) return null;
        if (await store.ScheduleGetAsync(name, cancellationToken) is not { } row) return null;
        if (row.Enabled != enabled)
        {
            // Enabled again: from the next tick after now, so the ticks it slept through are not enqueued as misfires.
            var next = enabled ? ScheduleCron.Parse(row.Cron, row.TimeZone).NextAfter(await store.NowAsync(cancellationToken)) : row.NextRunAt;
            if (!await store.ScheduleUpdateAsync(row with { Enabled = enabled, NextRunAt = next }, cancellationToken)) return null;
        }
        return await GetAsync(name, cancellationToken);
    }

    public async Task<JobInfo?> TriggerAsync(string name, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(name) || StoredText.Problem(name) is not null) return null;
        if (await store.ScheduleGetAsync(name, cancellationToken) is not { } row) return null;
        var job = JobFor(row, idempotencyKey: null) ?? throw new UnknownJobTypeException(row.Kind, registry.Kinds);
        EnqueueResult result;
        await using (var connection = await store.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            result = await store.JobInsertAsync(job, tx, cancellationToken);
            await store.ScheduleSetLastJobAsync(row.Name, result.Id, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        signal.Notify();
        return result.ToJobInfo() ?? (await store.JobGetAsync(result.Id, cancellationToken) is { } stored ? JobMapping.ToInfo(stored) : null);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        !string.IsNullOrEmpty(name) && StoredText.Problem(name) is null && await store.ScheduleDeleteAsync(name, cancellationToken);

    public async Task<int> EnqueueDueAsync(CancellationToken cancellationToken = default)
    {
        var now = await store.NowAsync(cancellationToken);
        var enqueued = 0;
        // Bounded: a round that advances nothing (every due schedule's type unknown here, or taken by another evaluator
        // that then moved it on) ends the pass; the next pass comes within a second.
        for (var round = 0; round < 1000; round++)
        {
            var due = await store.ScheduleDueAsync(now, DueBatchSize, cancellationToken);
            if (due.Count == 0) break;
            var plans = new List<TickPlan>(due.Count);
            foreach (var row in due)
                if (Plan(row, now) is { } plan) plans.Add(plan);
            if (plans.Count == 0) break;
            // One order for every evaluator (by name; the PostgreSQL statement also locks the rows in that order), so that
            // two transactions advancing the same schedules wait for each other instead of deadlocking.
            plans.Sort((a, b) => string.CompareOrdinal(a.Row.Name, b.Row.Name));
            var (advanced, jobs) = await FireAsync(plans, cancellationToken);
            enqueued += jobs;
            if (advanced == 0 || due.Count < DueBatchSize) break;
        }
        if (enqueued > 0) signal.Notify();
        return enqueued;
    }

    /// <summary>Brings the schedules declared in code and configuration up to date (at start).</summary>
    internal async Task UpsertDeclaredAsync(CancellationToken cancellationToken)
    {
        foreach (var declaration in declarations)
        {
            JobScheduleRow prepared;
            try
            {
                prepared = await ToRowAsync(declaration.Schedule, cancellationToken);
            }
            catch (Exception ex) when (ex is JobValidationException or UnknownJobTypeException)
            {
                throw new InvalidOperationException($"{declaration.Source}: {ex.Message}", ex);
            }
            await store.ScheduleUpsertAsync(prepared.Row, cancellationToken);
            Log.ScheduleDeclared(logger, prepared.Row.Name, prepared.Row.Cron, prepared.Row.TimeZone);
        }
    }

    private sealed record TickPlan(ScheduleRow Row, DateTimeOffset? Next, IReadOnlyList<JobInsertParams> Jobs, IReadOnlyList<DateTimeOffset> Ticks);

    /// <summary>What one due schedule does now: the ticks to enqueue (by its misfire and overlap policies) and its next run. Null: left alone.</summary>
    private TickPlan? Plan(ScheduleRow row, DateTimeOffset now)
    {
        if (!registry.TryGet(row.Kind, out _))
        {
            Log.ScheduleUnknownType(logger, row.Name, row.Kind);
            return null;
        }
        ScheduleCron cron;
        try
        {
            cron = ScheduleCron.Parse(row.Cron, row.TimeZone);
        }
        catch (JobValidationException ex)
        {
            // Written around the checks (or a zone this machine does not know): the schedule cannot be evaluated here.
            Log.MaintenanceFailed(logger, ex, $"schedule {row.Name}", TimeSpan.Zero);
            return null;
        }
        var first = row.NextRunAt!.Value;
        var misfire = ParseMisfire(row.Misfire);
        var keep = misfire == MisfirePolicy.RunAll ? Math.Max(1, row.MisfireLimit) : 1;
        var (count, latest) = cron.Due(first, now, keep);
        var next = cron.NextAfter(now);
        IReadOnlyList<DateTimeOffset> ticks = latest;
        if (misfire == MisfirePolicy.Skip && count > 1)
        {
            Log.ScheduleSkipped(logger, row.Name, (int)Math.Min(count, int.MaxValue), latest[^1], "missed while nothing evaluated it (misfire policy skip)");
            ticks = [];
        }
        else if (row.Overlap == "skip" && row.LastJobStatus is JobStatus.Pending or JobStatus.Processing)
        {
            Log.ScheduleSkipped(logger, row.Name, (int)Math.Min(count, int.MaxValue), latest[^1], $"job {row.LastJobId} of the previous tick is unfinished (overlap policy skip)");
            ticks = [];
        }
        else if (count > ticks.Count)
        {
            Log.ScheduleSkipped(logger, row.Name, (int)Math.Min(count - ticks.Count, int.MaxValue), ticks[0], $"missed while nothing evaluated it (misfire policy {row.Misfire})");
        }
        var jobs = ticks.Select(t => JobFor(row, TickKey(row.Name, t))!).ToList();
        return new TickPlan(row, next, jobs, ticks);
    }

    /// <summary>
    /// Advances the planned schedules (one compare-and-set statement for all of them), enqueues the ticks of those it moved
    /// (one insert) and records their last jobs (one update): three statements per chunk, in one transaction.
    /// </summary>
    private async Task<(int Advanced, int Jobs)> FireAsync(List<TickPlan> plans, CancellationToken cancellationToken)
    {
        var jobs = 0;
        var logged = new List<(string, long, DateTimeOffset)>();
        int advanced;
        await using (var connection = await store.OpenConnectionAsync(cancellationToken))
        await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
        {
            var moved = await store.ScheduleAdvanceManyAsync(
                [.. plans.Select(p => new ScheduleAdvanceParams(p.Row.Name, p.Row.NextRunAt!.Value, p.Next))], tx, cancellationToken);
            var won = plans.Where(p => moved.Contains(p.Row.Name)).ToList();
            advanced = won.Count;
            // The ticks of every schedule this evaluator moved on, in one insert (one round trip, one wake-up).
            var inserts = won.SelectMany(p => p.Jobs).ToList();
            IReadOnlyList<EnqueueResult> results = inserts.Count == 0 ? [] : await store.JobInsertManyAsync(inserts, tx, cancellationToken);
            var lastJobs = new List<ScheduleLastJobParams>(won.Count);
            var at = 0;
            foreach (var plan in won)
            {
                long? last = null;
                for (var i = 0; i < plan.Jobs.Count; i++, at++)
                {
                    last = results[at].Id;
                    if (results[at].Existing) continue;
                    jobs++;
                    logged.Add((plan.Row.Name, results[at].Id, plan.Ticks[i]));
                }
                if (last is { } id) lastJobs.Add(new ScheduleLastJobParams(plan.Row.Name, id));
            }
            await store.ScheduleSetLastJobManyAsync(lastJobs, tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        if (logger.IsEnabled(LogLevel.Debug))
            foreach (var (name, id, tick) in logged) Log.ScheduleEnqueued(logger, name, id, tick);
        return (advanced, jobs);
    }

    /// <summary>The idempotency key of a tick's job: the schedule's name and the tick's instant in UTC.</summary>
    internal static string TickKey(string name, DateTimeOffset tick) =>
        "schedule:" + name + ":" + tick.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The job a tick or trigger enqueues, its defaults resolved as an enqueue's are. Null: the type is not registered here.</summary>
    private JobInsertParams? JobFor(ScheduleRow row, string? idempotencyKey)
    {
        if (!registry.TryGet(row.Kind, out var type)) return null;
        var queue = row.Queue ?? type.Options.Queue ?? _options.DefaultQueue;
        var maxAttempts = row.MaxAttempts ?? type.Options.MaxAttempts ?? _options.DefaultMaxAttempts;
        return new JobInsertParams(type.Kind, queue, row.Payload, row.Priority ?? type.Options.Priority ?? 0, maxAttempts, null, null, idempotencyKey);
    }

    private sealed record JobScheduleRow(ScheduleRow Row, ScheduleCron Cron);

    /// <summary>Checks a definition as an enqueue is checked, and builds its row with the next tick from now.</summary>
    private async Task<JobScheduleRow> ToRowAsync(JobSchedule schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (string.IsNullOrEmpty(schedule.Name) || schedule.Name.Length > MaxNameLength ||
            !schedule.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':'))
            throw new JobValidationException($"name '{schedule.Name}' is not valid: 1–{MaxNameLength} letters, digits, '_', '-', '.', ':'.", "name");
        var cron = ScheduleCron.Parse(schedule.Cron, schedule.TimeZone);
        if (string.IsNullOrWhiteSpace(schedule.Type)) throw new JobValidationException("type is missing.", "type");
        var type = registry.Get(schedule.Type);
        string payload;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(schedule.Payload) ? "{}" : schedule.Payload);
            StoredText.RequirePayload(document.RootElement);
            payload = type.Bind(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new JobValidationException($"payload is not valid JSON: {ex.Message}", "payload", ex);
        }
        if (schedule.Queue is { } q && !QueueName.IsValid(q))
            throw new JobValidationException($"Queue name '{q}' is not valid: 1–64 letters, digits, '_', '-', '.', ':'.", "queue");
        if (schedule.MaxAttempts is < 1 or > JobClient.MaxAttemptsLimit)
            throw new JobValidationException($"maxAttempts must be 1–{JobClient.MaxAttemptsLimit} (was {schedule.MaxAttempts}).", "maxAttempts");
        if (schedule.MisfireLimit is < 1 or > MaxMisfireLimit)
            throw new JobValidationException($"misfireLimit must be 1–{MaxMisfireLimit} (was {schedule.MisfireLimit}).", "misfireLimit");
        if (!Enum.IsDefined(schedule.Misfire)) throw new JobValidationException("misfire must be latest, all or skip.", "misfire");
        if (!Enum.IsDefined(schedule.Overlap)) throw new JobValidationException("overlap must be allow or skip.", "overlap");
        var now = await store.NowAsync(cancellationToken);
        var next = cron.NextAfter(now)
            ?? throw new JobValidationException($"cron '{schedule.Cron}' never fires after now in {schedule.TimeZone}.", "cron");
        return new JobScheduleRow(new ScheduleRow
        {
            Name = schedule.Name,
            Cron = schedule.Cron.Trim(),
            TimeZone = schedule.TimeZone,
            Kind = type.Kind,
            Payload = payload,
            Queue = schedule.Queue,
            Priority = schedule.Priority,
            MaxAttempts = schedule.MaxAttempts,
            Enabled = schedule.Enabled,
            Misfire = MisfireName(schedule.Misfire),
            MisfireLimit = schedule.MisfireLimit,
            Overlap = OverlapName(schedule.Overlap),
            NextRunAt = next,
        }, cron);
    }

    private static JobScheduleInfo ToInfo(ScheduleRow row, DateTimeOffset now)
    {
        IReadOnlyList<DateTimeOffset> runs;
        try
        {
            runs = ScheduleCron.Parse(row.Cron, row.TimeZone).NextRuns(now, ShownRuns);
        }
        catch (JobValidationException)
        {
            runs = [];
        }
        return new JobScheduleInfo(new JobSchedule
        {
            Name = row.Name,
            Cron = row.Cron,
            TimeZone = row.TimeZone,
            Type = row.Kind,
            Payload = row.Payload,
            Queue = row.Queue,
            Priority = row.Priority,
            MaxAttempts = row.MaxAttempts,
            Enabled = row.Enabled,
            Misfire = ParseMisfire(row.Misfire),
            MisfireLimit = row.MisfireLimit,
            Overlap = row.Overlap == "skip" ? OverlapPolicy.Skip : OverlapPolicy.Allow,
        }, row.NextRunAt, runs, row.LastJobId, row.LastJobStatus, row.CreatedAt, row.UpdatedAt);
    }

    /// <summary>The stored (and wire) name of a misfire policy.</summary>
    internal static string MisfireName(MisfirePolicy policy) => policy switch
    {
        MisfirePolicy.RunAll => "all",
        MisfirePolicy.Skip => "skip",
        _ => "latest",
    };

    /// <summary>The stored (and wire) name of an overlap policy.</summary>
    internal static string OverlapName(OverlapPolicy policy) => policy == OverlapPolicy.Skip ? "skip" : "allow";

    /// <summary>Reads a misfire policy's name (<c>latest</c>, <c>all</c>, <c>skip</c>).</summary>
    internal static bool TryParseMisfire(string? name, out MisfirePolicy policy)
    {
        policy = name switch { "latest" => MisfirePolicy.RunLatest, "all" => MisfirePolicy.RunAll, "skip" => MisfirePolicy.Skip, _ => (MisfirePolicy)(-1) };
        return Enum.IsDefined(policy);
    }

    /// <summary>Reads an overlap policy's name (<c>allow</c>, <c>skip</c>).</summary>
    internal static bool TryParseOverlap(string? name, out OverlapPolicy policy)
    {
        policy = name switch { "allow" => OverlapPolicy.Allow, "skip" => OverlapPolicy.Skip, _ => (OverlapPolicy)(-1) };
        return Enum.IsDefined(policy);
    }

    private static MisfirePolicy ParseMisfire(string name) => TryParseMisfire(name, out var p) ? p : MisfirePolicy.RunLatest;
}

/// <summary>A schedule declared in code or configuration, brought up to date at start. <see cref="Source"/> names it in errors.</summary>
internal sealed record JobScheduleDeclaration(JobSchedule Schedule, string Source);
