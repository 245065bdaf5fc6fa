using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// The default <see cref="IJobProcessor"/>. When the host stops (<paramref name="lifetime"/>), a batch that is running
/// starts nothing more, hands back the jobs it claimed ahead at once, gives its running jobs
/// <see cref="JobWorkerOptions.ShutdownGrace"/> to finish (then their tokens fire and they are handed back too), and
/// returns its result, so that the caller of <c>POST /api/jobs/process</c> gets its summary.
/// </summary>
internal sealed class JobProcessor(
    IJobStore store,
    JobExecutor executor,
    JobHeartbeats heartbeats,
    JobSchedules schedules,
    IOptions<JobsOptions> options,
    IOptions<JobWorkerOptions> worker,
    TimeProvider time,
    ILogger<JobProcessor> logger,
    IHostApplicationLifetime? lifetime = null) : IJobProcessor
{
    /// <summary>A batch holds at most this many times its concurrency in claimed jobs (running and waiting for a slot) at first.</summary>
    public const int Prefetch = 4;

    /// <summary>
    /// The most a batch holds, in times its concurrency, once its jobs have proved shorter than a claim: each claim during
    /// which every running job finished (the slots stood idle waiting for it) doubles what it holds, up to this.
    /// </summary>
    public const int MaxPrefetch = 32;

    private readonly JobsOptions _options = options.Value;
    private readonly TimeSpan _shutdownGrace = worker.Value.ShutdownGrace;

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

        // Claimed ahead: up to Prefetch × concurrency jobs held at once (running and waiting; more for short jobs, up to
        // MaxPrefetch × concurrency), so that one claim (one commit) fills many slots instead of one claim per finished
        // job. Waiting jobs are kept alive by the node's heartbeat and handed back without using an attempt if the time
        // budget or the request ends before they start.
        var window = concurrency * Prefetch;
        var rescued = await RescueExpiredAsync(cancellationToken);
        await EnqueueDueSchedulesAsync(cancellationToken);
        // A slot is held while a handler runs; its outcome is then written without it (the group commit takes the outcomes
        // of the jobs that finish meanwhile), so a batch at concurrency 4 does not wait for a commit per four jobs.
        var running = new List<Task>();
        var writing = new List<Task<JobRunReport>>();
        var waiting = new Queue<WaitingJob>();
        var reports = new List<JobRunReport>();
        var claimed = 0;
        var handedBack = 0;
        var exhausted = false;

        // The host's stop ends the batch as the end of its budget does, but wakes it at once (waiting jobs go back now,
        // not when a running one finishes). Running jobs keep going for the shutdown grace; then their tokens fire, as
        // they do at once when the caller goes away.
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handlers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ITimer? grace = null;
        var onStop = stopping.Register(() =>
        {
            stopped.TrySetResult();
            grace = time.CreateTimer(_ => CancelHandlers(), null, _shutdownGrace, Timeout.InfiniteTimeSpan);
        });
        try
        {
            try
            {
                while (true)
                {
                    var open = BudgetLeft() && !cancellationToken.IsCancellationRequested && !stopping.IsCancellationRequested;
                    while (open && running.Count < concurrency && waiting.TryDequeue(out var next)) Start(next);
                    if (!open) break;
                    var held = running.Count + waiting.Count;
                    var want = Math.Min(window - held, batch.MaxJobs - claimed);
                    if (!exhausted && want > 0 && (waiting.Count == 0 || held <= window / 2))
                    {
                        var rows = await store.JobClaimAsync(Claim(batch.Queue, want), cancellationToken);
                        claimed += rows.Count;
                        // Every running job finished while the claim was out: short jobs, whose slots waited for claims.
                        // Hold more from now on, so that fewer claims (a round trip and a commit each) serve the batch.
                        if (running.Count > 0 && running.TrueForAll(t => t.IsCompleted)) window = Math.Min(window * 2, concurrency * MaxPrefetch);
                        exhausted = rows.Count < want; // the queue had no more due jobs a moment ago
                        foreach (var row in rows)
                        {
                            var job = new WaitingJob(row);
                            heartbeats.Hold(job);
                            waiting.Enqueue(job);
                        }
                        continue;
                    }
                    if (running.Count == 0) break;
                    var done = await Task.WhenAny([.. running, stopped.Task]);
                    if (done != stopped.Task) running.Remove(done);
                    await HarvestWrittenAsync(all: false);
                }
            }
            finally
            {
                if (stopping.IsCancellationRequested && (running.Count > 0 || waiting.Count > 0))
                    Log.BatchStopping(logger, waiting.Count, running.Count, _shutdownGrace);
                while (waiting.TryDequeue(out var unstarted))
                    if (await HandBackAsync(unstarted)) handedBack++;
            }
            while (running.Count > 0) running.Remove(await Task.WhenAny(running));
            await HarvestWrittenAsync(all: true);
        }
        finally
        {
            await onStop.DisposeAsync();
            if (grace is not null) await grace.DisposeAsync();
        }

        return new BatchResult
        {
            Processed = reports.Count,
            Succeeded = reports.Count(r => r.Outcome == JobOutcome.Completed),
            Failed = reports.Count(r => r.Outcome == JobOutcome.Failed),
            Retried = reports.Count(r => r.Outcome == JobOutcome.Retried),
            Cancelled = reports.Count(r => r.Outcome == JobOutcome.Cancelled),
            HandedBack = handedBack + reports.Count(r => r.Outcome == JobOutcome.Released),
            Rescued = rescued,
            DurationMs = time.GetElapsedTime(started).TotalMilliseconds,
            Jobs = reports,
        };

        void Start(WaitingJob job)
        {
            heartbeats.Release(job);
            if (job.LeaseLost)
                reports.Add(new JobRunReport(job.Row.Id, job.Row.Kind, JobOutcome.LeaseLost, 0,
                    "The lease was lost while the job waited for a slot; it was rescued by another worker."));
            else
            {
                var handled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var outcome = executor.RunAsync(job.Row, handlers.Token, job, () => handled.TrySetResult());
                writing.Add(outcome);
                running.Add(Task.WhenAny(handled.Task, outcome));
            }
        }

        void CancelHandlers()
        {
            try
            {
                handlers.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The batch ended as the grace ran out: nothing is left to cancel.
            }
        }

        // The reports of the outcomes written so far (all: waits for every one).
        async Task HarvestWrittenAsync(bool all)
        {
            for (var i = 0; i < writing.Count; i++)
            {
                if (!all && !writing[i].IsCompleted) continue;
                var report = await writing[i];
                writing.RemoveAt(i--);
                reports.Add(report);
                batch.Progress?.Report(report);
            }
        }
    }

    public async Task<int> RescueExpiredAsync(CancellationToken cancellationToken = default)
    {
        var count = await store.JobRescueAsync(
            new JobRescueParams(_options.RescueBatchSize, "The worker's lease expired before it finished (it died or hung)."),
            cancellationToken);
        if (count > 0) Log.Rescued(logger, count);
        return count;
    }

    // Every batch enqueues the due ticks of the schedules first (issue 12), so that a deployment whose only trigger is one
    // external cron gets them too. A failure there is logged and the batch goes on: running due jobs matters more.
    private async Task EnqueueDueSchedulesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await schedules.EnqueueDueAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
        {
            Log.MaintenanceFailed(logger, ex, "schedules", TimeSpan.Zero);
        }
    }

    // Not started, so the attempt did not happen: back to pending with its attempt count restored (as a graceful stop).
    // True when it was handed back (false: its lease was lost meanwhile, or the write failed).
    private async Task<bool> HandBackAsync(WaitingJob job)
    {
        heartbeats.Release(job);
        try
        {
            if (!await store.JobReleaseAsync(job.Row.Id, job.LockToken, CancellationToken.None)) return false;
            Log.BatchHandedBack(logger, job.Row.Id, job.Row.Kind);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Its lease expires and it is rescued: at worst one attempt is used without running.
            Log.BatchHandBackFailed(logger, ex, job.Row.Id);
            return false;
        }
    }

    private JobClaimParams Claim(string? queue, int limit) => new(queue, limit, _options.Lease, _options.EffectiveWorkerName) { Kinds = executor.Kinds };
}
