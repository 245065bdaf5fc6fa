using System.Diagnostics;
using System.Diagnostics.Metrics;
using Leora.Jobs.Storage;

namespace Leora.Jobs;

/// <summary>
/// The names of Leora Jobs' traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <c>Leora.Jobs</c>. These names are a stable contract (docs/monitoring.md lists them). Store calls are measured
/// by one wrapper around the store (<c>InstrumentedJobStore</c>); each attempt by the executor, through
/// <see cref="StartAttempt"/> and <see cref="RecordAttempt"/>.
/// </summary>
public static class JobsTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Leora.Jobs";

    // Static like Npgsql's and ASP.NET Core's: instruments are immutable once created, and listeners subscribe by name.
    internal static readonly ActivitySource Source = new(Name);
    internal static readonly Meter Meter = new(Name);

    /// <summary>Jobs enqueued (new rows only), tagged <c>job.type</c>.</summary>
    internal static readonly Counter<long> Enqueued = Meter.CreateCounter<long>("leora.jobs.enqueued", "{job}", "Jobs enqueued.");

    /// <summary>Attempts finished, tagged <c>job.type</c> and <c>job.outcome</c> (completed, retried, failed, cancelled, released, lease_lost).</summary>
    internal static readonly Counter<long> Attempts = Meter.CreateCounter<long>("leora.jobs.attempts", "{attempt}", "Attempts finished, by outcome.");

    /// <summary>How long handlers ran, tagged <c>job.type</c> and <c>job.outcome</c>.</summary>
    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("leora.jobs.duration", "s", "Handler run time.");

    /// <summary>Time from a job being due to its attempt starting, tagged <c>job.type</c>.</summary>
    internal static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("leora.jobs.lag", "s", "Time from due to started.");

    /// <summary>Jobs whose expired lease was rescued.</summary>
    internal static readonly Counter<long> Rescued = Meter.CreateCounter<long>("leora.jobs.rescued", "{job}", "Expired leases rescued.");

    /// <summary>How long each store call took, tagged <c>db.system</c>, <c>db.operation</c> (the store method) and, when it threw, <c>error.type</c>.</summary>
    internal static readonly Histogram<double> StoreDuration = Meter.CreateHistogram<double>("leora.jobs.store.duration", "s", "Store call time.");

    /// <summary>Starts the span of one attempt (<c>job {type}</c>, kind Consumer) and records its lag.</summary>
    internal static Activity? StartAttempt(JobRow row)
    {
        var activity = Source.StartActivity($"job {row.Kind}", ActivityKind.Consumer);
        activity?.SetTag("job.id", row.Id);
        activity?.SetTag("job.type", row.Kind);
        activity?.SetTag("job.queue", row.Queue);
        activity?.SetTag("job.attempt", row.Attempts);
        if (row.StartedAt is { } startedAt)
            Lag.Record(Math.Max(0, (startedAt - row.RunAt).TotalSeconds), new KeyValuePair<string, object?>("job.type", row.Kind));
        return activity;
    }

    /// <summary>Records how an attempt ended: the attempt counter, the duration histogram and the span's outcome.</summary>
    internal static void RecordAttempt(JobRunReport report, Activity? activity)
    {
        var outcome = JobNames.Outcome(report.Outcome);
        var tags = new TagList { { "job.type", report.Type }, { "job.outcome", outcome } };
        Attempts.Add(1, tags);
        Duration.Record(report.DurationMs / 1000, tags);
        activity?.SetTag("job.outcome", outcome);
        if (report.Outcome is JobOutcome.Failed or JobOutcome.Retried or JobOutcome.LeaseLost)
            activity?.SetStatus(ActivityStatusCode.Error, report.Error);
    }
}
