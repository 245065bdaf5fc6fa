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

    /// <summary>
    /// Starts the span of one enqueue call (<c>enqueue {type}</c>, kind Producer): the creation context of the jobs it
    /// writes, as OpenTelemetry's messaging conventions name it. Null when nobody listens; then the caller's own activity
    /// (an HTTP request's, the application's) is the context stored with the jobs.
    /// </summary>
    internal static Activity? StartEnqueue(string kind, string queue, int count)
    {
        var activity = Source.StartActivity($"enqueue {kind}", ActivityKind.Producer);
        activity?.SetTag("job.type", kind);
        activity?.SetTag("job.queue", queue);
        if (count != 1) activity?.SetTag("job.count", count);
        return activity;
    }

    /// <summary>
    /// <paramref name="job"/> with the W3C trace context of the current activity (traceparent, tracestate), to be stored
    /// with it; unchanged when there is no current activity or it does not use W3C ids.
    /// </summary>
    internal static JobInsertParams WithTraceContext(JobInsertParams job)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C, Id: { } traceParent } current) return job;
        return job with { TraceParent = traceParent, TraceState = StorableTraceState(current.TraceStateString) };
    }

    /// <summary>
    /// A tracestate that may be stored, or null. It can come from a request header: W3C caps it at 512 characters of
    /// printable ASCII, and anything else (longer, or with characters a column or a header could not carry) is dropped
    /// rather than stored; the trace still continues through traceparent.
    /// </summary>
    internal static string? StorableTraceState(string? state)
    {
        if (string.IsNullOrEmpty(state) || state.Length > MaxTraceStateLength) return null;
        foreach (var c in state)
            if (c is < ' ' or > '~') return null;
        return state;
    }

    /// <summary>The longest tracestate W3C Trace Context allows a vendor to propagate.</summary>
    internal const int MaxTraceStateLength = 512;

    /// <summary>
    /// Starts the span of one attempt (<c>job {type}</c>, kind Consumer) and records its lag. The span continues the trace
    /// of the job's enqueue (the trace context stored with it): that context is its parent and also a link, as
    /// OpenTelemetry's messaging conventions ask of a process span, so the trace reads request → enqueue → attempt in
    /// whichever process or machine runs it. An attempt run inside another activity (a batch's HTTP request) links to
    /// that one as well. A job without a stored context is a child of the current activity, as before.
    /// </summary>
    internal static Activity? StartAttempt(JobRow row)
    {
        Activity? activity;
        if (Source.HasListeners() && row.TraceParent is { } traceParent
            && ActivityContext.TryParse(traceParent, row.TraceState, isRemote: true, out var enqueued))
        {
            var links = Activity.Current is { } ambient
                ? new[] { new ActivityLink(enqueued), new ActivityLink(ambient.Context) }
                : [new ActivityLink(enqueued)];
            activity = Source.StartActivity($"job {row.Kind}", ActivityKind.Consumer, enqueued, links: links);
        }
        else
        {
            activity = Source.StartActivity($"job {row.Kind}", ActivityKind.Consumer);
        }
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
