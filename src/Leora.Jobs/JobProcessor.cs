using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>The default <see cref="IJobProcessor"/>.</summary>
internal sealed class JobProcessor(
    IJobStore store,
    JobExecutor executor,
    IOptions<JobsOptions> options,
    TimeProvider time,
    ILogger<JobProcessor> logger) : IJobProcessor
{
    private readonly JobsOptions _options = options.Value;

    public async Task<JobRunReport?> ProcessOneAsync(string? queue = null, CancellationToken cancellationToken = default)
    {
        await RescueExpiredAsync(cancellationToken);
        var rows = await store.JobClaimAsync(Claim(queue, 1), cancellationToken);
        return rows.Count == 0 ? null : await executor.RunAsync(rows[0], cancellationToken);
    }

    public async Task<BatchResult> ProcessBatchAsync(BatchOptions batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.MaxJobs < 1) throw new JobValidationException("maxJobs must be at least 1.", "maxJobs");
        var concurrency = batch.Concurrency ?? _options.BatchConcurrency;
        if (concurrency < 1) throw new JobValidationException("concurrency must be at least 1.", "concurrency");
        if (batch.Queue is { } q && !QueueName.IsValid(q)) throw new JobValidationException($"Queue name '{q}' is not valid.", "queue");

        var started = time.GetTimestamp();
        bool BudgetLeft() => batch.MaxDuration is not { } budget || time.GetElapsedTime(started) < budget;

        var rescued = await RescueExpiredAsync(cancellationToken);
        var running = new List<Task<JobRunReport>>();
        var reports = new List<JobRunReport>();
        var claimed = 0;
        while (claimed < batch.MaxJobs && BudgetLeft() && !cancellationToken.IsCancellationRequested)
        {
            var free = concurrency - running.Count;
            if (free == 0)
            {
                await Harvest(await Task.WhenAny(running));
                continue;
            }
            var rows = await store.JobClaimAsync(Claim(batch.Queue, Math.Min(free, batch.MaxJobs - claimed)), cancellationToken);
            if (rows.Count == 0) break;
            claimed += rows.Count;
            running.AddRange(rows.Select(r => executor.RunAsync(r, cancellationToken)));
        }
        while (running.Count > 0) await Harvest(await Task.WhenAny(running));

        return new BatchResult
        {
            Processed = reports.Count,
            Succeeded = reports.Count(r => r.Outcome == JobOutcome.Completed),
            Failed = reports.Count(r => r.Outcome == JobOutcome.Failed),
            Retried = reports.Count(r => r.Outcome == JobOutcome.Retried),
            Cancelled = reports.Count(r => r.Outcome == JobOutcome.Cancelled),
            Rescued = rescued,
            DurationMs = time.GetElapsedTime(started).TotalMilliseconds,
            Jobs = reports,
        };

        async Task Harvest(Task<JobRunReport> done)
        {
            running.Remove(done);
            var report = await done;
            reports.Add(report);
            batch.Progress?.Report(report);
        }
    }

    public async Task<int> RescueExpiredAsync(CancellationToken cancellationToken = default)
    {
        var count = await store.JobRescueAsync(
            new JobRescueParams(_options.RescueBatchSize, "The worker's lease expired before it finished (it died or hung)."),
            cancellationToken);
        if (count > 0)
        {
            JobsTelemetry.Rescued.Add(count);
            Log.Rescued(logger, count);
        }
        return count;
    }

    private JobClaimParams Claim(string? queue, int limit) => new(queue, limit, _options.Lease, _options.EffectiveWorkerName);
}
