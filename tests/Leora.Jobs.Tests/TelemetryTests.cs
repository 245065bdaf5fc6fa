using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Leora.Jobs.Tests;

public sealed record TelemetryProbeArgs(bool Fail) : IJobArgs
{
    public static string Kind => "telemetry_probe";
}

public sealed class TelemetryProbeHandler : IJobHandler<TelemetryProbeArgs>
{
    public Task HandleAsync(JobContext<TelemetryProbeArgs> job, CancellationToken cancellationToken) =>
        job.Args.Fail ? throw new PermanentJobException("probe failed") : Task.CompletedTask;
}

/// <summary>The documented metric and trace names are emitted (docs/monitoring.md).</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Enqueues_attempts_and_durations_are_measured_and_each_job_is_traced()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? Type, string? Outcome)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == JobsTelemetry.Name) l.EnableMeasurementEvents(instrument); };
        void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? type = null, outcome = null;
            foreach (var t in tags)
            {
                if (t.Key == "job.type") type = t.Value as string;
                if (t.Key == "job.outcome") outcome = t.Value as string;
            }
            if (type == TelemetryProbeArgs.Kind) measurements.Enqueue((instrument.Name, value, type, outcome));
        }
        meters.SetMeasurementEventCallback<long>((i, v, t, _) => OnMeasurement(i, v, t));
        meters.SetMeasurementEventCallback<double>((i, v, t, _) => OnMeasurement(i, v, t));
        meters.Start();
        var activities = new ConcurrentQueue<Activity>();
        using var traces = new ActivityListener
        {
            ShouldListenTo = s => s.Name == JobsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // The attempts' spans (the enqueues' producer spans carry job.type too).
            ActivityStopped = a => { if (a.Kind == ActivityKind.Consumer && a.GetTagItem("job.type") as string == TelemetryProbeArgs.Kind) activities.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(traces);

        await using var h = await Harness.CreateAsync("sqlite", configure: b => b.AddJob<TelemetryProbeArgs, TelemetryProbeHandler>());
        var ok = await h.Client.EnqueueAsync(new TelemetryProbeArgs(false));
        await h.Client.EnqueueAsync(new TelemetryProbeArgs(true));
        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 2, Concurrency = 1 });

        Assert.Equal(2, measurements.Where(m => m.Instrument == "leora.jobs.enqueued").Sum(m => m.Value));
        Assert.Equal(1, measurements.Count(m => m.Instrument == "leora.jobs.attempts" && m.Outcome == "completed"));
        Assert.Equal(1, measurements.Count(m => m.Instrument == "leora.jobs.attempts" && m.Outcome == "failed"));
        Assert.Equal(2, measurements.Count(m => m.Instrument == "leora.jobs.duration"));
        Assert.Equal(2, activities.Count);
        var okTrace = Assert.Single(activities, a => (long)a.GetTagItem("job.id")! == ok.Id);
        Assert.Equal("completed", okTrace.GetTagItem("job.outcome"));
        Assert.Equal(ActivityStatusCode.Error, Assert.Single(activities, a => a != okTrace).Status);
    }

    [Fact]
    public async Task An_attempt_continues_the_trace_of_its_enqueue_under_the_enqueue_producer_span()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var traces = new ActivityListener
        {
            ShouldListenTo = s => s.Name == JobsTelemetry.Name || s.Name == "test-caller",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(traces);
        using var callerSource = new ActivitySource("test-caller");

        await using var h = await Harness.CreateAsync("sqlite", configure: b => b.AddJob<TelemetryProbeArgs, TelemetryProbeHandler>());
        EnqueueResult job;
        ActivityContext caller;
        using (var request = callerSource.StartActivity("request", ActivityKind.Server)!)
        {
            caller = request.Context;
            job = await h.Client.EnqueueAsync(new TelemetryProbeArgs(false));
        }
        // Run later, from no activity at all, as a worker in another process would.
        Assert.Null(Activity.Current);
        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 1, Concurrency = 1 });

        var enqueue = Assert.Single(stopped, a => a.OperationName == $"enqueue {TelemetryProbeArgs.Kind}");
        Assert.Equal(ActivityKind.Producer, enqueue.Kind);
        Assert.Equal(caller.TraceId, enqueue.TraceId);
        Assert.Equal(caller.SpanId, enqueue.ParentSpanId);
        var attempt = Assert.Single(stopped, a => a.Kind == ActivityKind.Consumer && (long)a.GetTagItem("job.id")! == job.Id);
        Assert.Equal(caller.TraceId, attempt.TraceId);
        Assert.Equal(enqueue.SpanId, attempt.ParentSpanId);
        Assert.Contains(attempt.Links, l => l.Context.SpanId == enqueue.SpanId && l.Context.TraceId == caller.TraceId);
    }
}
