using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Leora.Jobs;

/// <summary>
/// The names of Leora Jobs' traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <c>Leora.Jobs</c>. These names are a stable contract (docs/monitoring.md lists them).
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

    internal static string OutcomeName(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Completed => "completed",
        JobOutcome.Retried => "retried",
        JobOutcome.Failed => "failed",
        JobOutcome.Cancelled => "cancelled",
        JobOutcome.Released => "released",
        _ => "lease_lost",
    };
}
