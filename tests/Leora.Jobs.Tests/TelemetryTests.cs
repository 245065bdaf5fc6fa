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
            ActivityStopped = a => { if (a.GetTagItem("job.type") as string == TelemetryProbeArgs.Kind) activities.Enqueue(a); },
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
}
