using System.Diagnostics.Metrics;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs;

/// <summary>
/// The gauges of the jobs table (docs/monitoring.md): jobs by status, unfinished jobs by queue and by type, due and
/// scheduled jobs, and the age of the oldest due job, on a meter named <see cref="JobsTelemetry.Name"/>. They are read
/// from the store's stats and cached: the database is read at most once per <see cref="RefreshInterval"/> however often
/// they are observed. A scrape endpoint awaits <see cref="RefreshIfStaleAsync"/> first, so it answers with a fresh
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
    private readonly SemaphoreSlim _reading = new(1, 1);
    private JobStats? _stats;
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
        // Queue state gauges (paused, rate-limited) belong beside these: read with the stats in ReadAsync, published from
        // the same cached reading, so that a scrape still reads the database at most once per interval.
    }

    /// <summary>Reads the stats now unless the last reading (or failed try) is younger than <see cref="RefreshInterval"/>.</summary>
    public async Task RefreshIfStaleAsync(CancellationToken cancellationToken)
    {
        if (!Stale) return;
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (Stale) await ReadAsync(cancellationToken);
        }
        finally
        {
            _reading.Release();
        }
    }

    private bool Stale => Interlocked.Read(ref _triedAt) is var tried && (tried == long.MinValue || _time.GetElapsedTime(tried) >= RefreshInterval);

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Volatile.Write(ref _stats, await _store.JobStatsAsync(cancellationToken));
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
        if (!Stale || !_reading.Wait(0)) return;
        _ = Task.Run(async () =>
        {
            try
            {
                if (Stale) await ReadAsync(CancellationToken.None);
            }
            finally
            {
                _reading.Release();
            }
        });
    }

    private IEnumerable<Measurement<long>> Observe(Func<JobStats, IEnumerable<Measurement<long>>> read)
    {
        RefreshInBackground();
        return Volatile.Read(ref _stats) is { } stats ? read(stats) : [];
    }

    private IEnumerable<Measurement<double>> ObserveDouble(Func<JobStats, IEnumerable<Measurement<double>>> read)
    {
        RefreshInBackground();
        return Volatile.Read(ref _stats) is { } stats ? read(stats) : [];
    }

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
