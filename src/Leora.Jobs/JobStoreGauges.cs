using System.Diagnostics.Metrics;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs;

/// <summary>
/// The gauges of the jobs table (docs/monitoring.md): jobs by status, unfinished jobs by queue and by type, due and
/// scheduled jobs, the age of the oldest due job, the paused queues and types, and each rate and concurrency limit's
/// setting and usage, on a meter named <see cref="JobsTelemetry.Name"/>. They are read from the store's stats, pauses and
/// limits and cached: the database is read at most once per <see cref="RefreshInterval"/> however often they are observed.
/// A scrape endpoint awaits <see cref="RefreshIfStaleAsync"/> first, so it answers with a fresh
/// reading; other readers (OTLP's periodic export) get the latest reading and start the next one in the background
/// (an observable instrument's callback is synchronous: it must not wait for the database).
/// </summary>
internal sealed class JobStoreGauges
{
    /// <summary>How long one reading of the stats is served before the database is read again.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly IJobStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // One reading at a time: callers that find one in progress wait for it (scrapes) or leave it be (callbacks).
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private Reading? _reading;
    // When the last reading was tried, successful or not: a failing database is not asked again on every observation.
    private long _triedAt = long.MinValue;

    public JobStoreGauges(InstrumentedJobStore store, IMeterFactory meters, TimeProvider time, ILogger<JobStoreGauges> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _store = store;
        _time = time;
        _logger = logger;
        // A meter of the container's factory (disposed with it), not the static one: two hosts in one process each
        // observe their own store. Listeners subscribe by name, so it is picked up as Leora.Jobs.
#pragma warning disable CA2000 // The factory owns the meters it creates and disposes them with the container.
        var meter = meters.Create(JobsTelemetry.Name);
#pragma warning restore CA2000
        meter.CreateObservableGauge("leora.jobs.jobs", () => Observe(ByStatus), "{job}", "Jobs by status.");
        meter.CreateObservableGauge("leora.jobs.queue.jobs", () => Observe(s => Unfinished(s.ByQueue, "job.queue")), "{job}",
            "Unfinished jobs (pending, processing) by queue and status.");
        meter.CreateObservableGauge("leora.jobs.type.jobs", () => Observe(s => Unfinished(s.ByType, "job.type")), "{job}",
            "Unfinished jobs (pending, processing) by type and status.");
        meter.CreateObservableGauge("leora.jobs.due", () => Observe(s => [new Measurement<long>(s.DuePending)]), "{job}",
            "Pending jobs that are due now.");
        meter.CreateObservableGauge("leora.jobs.scheduled", () => Observe(s => [new Measurement<long>(s.Scheduled)]), "{job}",
            "Pending jobs scheduled for later (delayed, or waiting to retry).");
        meter.CreateObservableGauge("leora.jobs.oldest_due_age",
            () => ObserveDouble(s => [new Measurement<double>(s.OldestDuePendingAge?.TotalSeconds ?? 0)]), "s",
            "How long the oldest due pending job has waited; 0 when none is due.");
        // Pauses and limits: read with the stats in ReadAsync and published from the same cached reading, so that a scrape
        // still reads the database at most once per interval. A paused queue or type is 1; one with unfinished jobs and no
        // pause is 0, so that a series does not vanish when it is resumed. A limit's series carry job.type or job.queue
        // (its scope), so that they join the jobs-by-type and jobs-by-queue gauges on the same label.
        meter.CreateObservableGauge("leora.jobs.queue.paused", () => ObserveState(r => Paused(r, JobPauseScope.Queue)), unit: null,
            "Whether a queue is paused (1) or not (0): paused queues, and queues with unfinished jobs.");
        meter.CreateObservableGauge("leora.jobs.type.paused", () => ObserveState(r => Paused(r, JobPauseScope.Type)), unit: null,
            "Whether a job type is paused (1) or not (0): paused types, and types with unfinished jobs.");
        meter.CreateObservableGauge("leora.jobs.limit.running", () => ObserveState(r => Limits(r, _ => true, u => u.Running)), "{job}",
            "Jobs of a limited type or queue running now, across all nodes.");
        meter.CreateObservableGauge("leora.jobs.limit.concurrency",
            () => ObserveState(r => Limits(r, u => u.Limit.Concurrency is not null, u => u.Limit.Concurrency!.Value)), "{job}",
            "A concurrency limit: the most jobs of the type or queue that may run at once.");
        meter.CreateObservableGauge("leora.jobs.limit.keys_running",
            () => ObserveState(r => Limits(r, u => u.Limit.Scope == JobLimitScope.Type, u => u.KeysRunning)), "{key}",
            "Distinct concurrency keys with a job of a limited type running now.");
        meter.CreateObservableGauge("leora.jobs.limit.rate", () => ObserveState(r => Limits(r, u => u.Limit.Rate is not null, u => u.Limit.Rate!.Value)), "{job}",
            "A rate limit: the most jobs of the type or queue that may start per window.");
        meter.CreateObservableGauge("leora.jobs.limit.rate_started", () => ObserveState(r => Limits(r, u => u.Limit.Rate is not null, u => u.StartedInWindow)), "{job}",
            "Jobs of a rate-limited type or queue started in the current window.");
        meter.CreateObservableGauge("leora.jobs.limit.rate_period",
            () => ObserveStateDouble(RatePeriods), "s",
            "A rate limit's window.");
    }

    /// <summary>Reads the stats now unless the last reading (or failed try) is younger than <see cref="RefreshInterval"/>.</summary>
    public async Task RefreshIfStaleAsync(CancellationToken cancellationToken)
    {
        if (!Stale) return;
        await _readLock.WaitAsync(cancellationToken);
        try
        {
            if (Stale) await ReadAsync(cancellationToken);
        }
        finally
        {
            _readLock.Release();
        }
    }

    private bool Stale => Interlocked.Read(ref _triedAt) is var tried && (tried == long.MinValue || _time.GetElapsedTime(tried) >= RefreshInterval);

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var stats = await _store.JobStatsAsync(cancellationToken);
            var paused = await _store.PauseListAsync(cancellationToken);
            var limits = await _store.LimitListAsync(cancellationToken);
            Volatile.Write(ref _reading, new Reading(stats, paused, limits));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The gauges keep the last reading; the next try is one interval later.
            Log.GaugesReadFailed(_logger, ex);
        }
        finally
        {
            Interlocked.Exchange(ref _triedAt, _time.GetTimestamp());
        }
    }

    private void RefreshInBackground()
    {
        if (!Stale || !_readLock.Wait(0)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                if (Stale) await ReadAsync(CancellationToken.None);
            }
            finally
            {
                _readLock.Release();
            }
        });
    }

    private IEnumerable<Measurement<long>> Observe(Func<JobStats, IEnumerable<Measurement<long>>> read) => ObserveState(r => read(r.Stats));

    private IEnumerable<Measurement<double>> ObserveDouble(Func<JobStats, IEnumerable<Measurement<double>>> read) => ObserveStateDouble(r => read(r.Stats));

    private IEnumerable<Measurement<long>> ObserveState(Func<Reading, IEnumerable<Measurement<long>>> read)
    {
        RefreshInBackground();
        return Volatile.Read(ref _reading) is { } reading ? read(reading) : [];
    }

    private IEnumerable<Measurement<double>> ObserveStateDouble(Func<Reading, IEnumerable<Measurement<double>>> read)
    {
        RefreshInBackground();
        return Volatile.Read(ref _reading) is { } reading ? read(reading) : [];
    }

    // Paused ones 1; the queues (or types) with unfinished jobs and no pause 0.
    private static IEnumerable<Measurement<long>> Paused(Reading reading, JobPauseScope scope)
    {
        var tag = scope == JobPauseScope.Queue ? "job.queue" : "job.type";
        var paused = reading.Paused.Where(p => p.Scope == scope).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var withJobs = scope == JobPauseScope.Queue ? reading.Stats.ByQueue.Keys : reading.Stats.ByType.Keys;
        return paused.Order(StringComparer.Ordinal).Select(name => new Measurement<long>(1, new KeyValuePair<string, object?>(tag, name)))
            .Concat(withJobs.Where(name => !paused.Contains(name)).Select(name => new Measurement<long>(0, new KeyValuePair<string, object?>(tag, name))));
    }

    // The limits that have the setting (has), each with its value and its scope's tag.
    private static IEnumerable<Measurement<long>> Limits(Reading reading, Func<JobLimitUsage, bool> has, Func<JobLimitUsage, long> value) =>
        reading.Limits.Where(has).Select(u => new Measurement<long>(value(u), LimitTag(u)));

    private static IEnumerable<Measurement<double>> RatePeriods(Reading reading) =>
        reading.Limits.Where(u => u.Limit.EffectiveRatePeriod is not null)
            .Select(u => new Measurement<double>(u.Limit.EffectiveRatePeriod!.Value.TotalSeconds, LimitTag(u)));

    private static KeyValuePair<string, object?> LimitTag(JobLimitUsage usage) =>
        new(usage.Limit.Scope == JobLimitScope.Queue ? "job.queue" : "job.type", usage.Limit.Name);

    /// <summary>One reading of the database: the stats, the pauses, and the limits with their usage.</summary>
    private sealed record Reading(JobStats Stats, IReadOnlyList<JobPause> Paused, IReadOnlyList<JobLimitUsage> Limits);

    private static IEnumerable<Measurement<long>> ByStatus(JobStats stats) =>
        Enum.GetValues<JobStatus>().Select(s => new Measurement<long>(stats.ByStatus.GetValueOrDefault(s), Tag("job.status", s)));

    // Both unfinished statuses for every queue or type listed, 0 when it has none in one of them.
    private static IEnumerable<Measurement<long>> Unfinished(IReadOnlyDictionary<string, IReadOnlyDictionary<JobStatus, long>> counts, string tag) =>
        from entry in counts
        from status in UnfinishedStatuses
        select new Measurement<long>(entry.Value.GetValueOrDefault(status),
            new KeyValuePair<string, object?>(tag, entry.Key), new KeyValuePair<string, object?>("job.status", JobNames.Status(status)));

    private static readonly JobStatus[] UnfinishedStatuses = [JobStatus.Pending, JobStatus.Processing];

    private static KeyValuePair<string, object?> Tag(string key, JobStatus status) => new(key, JobNames.Status(status));
}
