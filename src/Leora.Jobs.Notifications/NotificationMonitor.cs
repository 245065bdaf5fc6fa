using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Notifications;

/// <summary>
/// The maintenance leader's evaluation of notifications: every <see cref="NotificationOptions.EvaluationInterval"/>, while
/// this node holds the leader's lease (<see cref="JobNodeState.IsLeader"/>), one <see cref="NotificationEvaluator"/> pass.
/// A failed pass is logged and the next one tries again (the cursor has not moved, so nothing is lost).
/// </summary>
internal sealed class NotificationMonitor(
    NotificationEvaluator evaluator,
    JobNodeState node,
    InstrumentedJobStore store,
    JobExecutor executor,
    IOptions<JobsOptions> jobs,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationMonitor> logger) : BackgroundService
{
    /// <summary>The most notification jobs one pass delivers itself (the rest wait for the next pass, or for a worker or batch).</summary>
    internal const int DeliveryBatch = 50;

    // The same list on every claim (JobClaimParams.Kinds): the stores prepare their parameter from it once.
    private static readonly IReadOnlyList<string> NotificationKinds = [NotificationArgs.Kind];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.EvaluationInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
                if (node.IsLeader) await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.EvaluationFailed(logger, ex, interval);
            }
        }
    }

    /// <summary>
    /// One pass of the leader: evaluates, then, in a host that runs no worker (an API-only service fed by a cron), delivers
    /// the due notification jobs itself. Otherwise an alert that nobody runs jobs (the NoWorker rule) would wait, as a
    /// job, for the very worker or batch call whose absence it reports. Returns the messages enqueued.
    /// </summary>
    internal async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var enqueued = await evaluator.EvaluateAsync(batch: false, cancellationToken);
        if (!node.HasWorker) await DeliverAsync(cancellationToken);
        return enqueued;
    }

    // Claims only notification jobs (other types stay for workers and batches), one at a time so that a stop leaves none
    // claimed and not started; each runs, and is fenced, as any attempt is. Storm control keeps them few.
    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        var o = jobs.Value;
        var claim = new JobClaimParams(null, 1, o.Lease, o.EffectiveWorkerName) { Kinds = NotificationKinds };
        for (var i = 0; i < DeliveryBatch && !cancellationToken.IsCancellationRequested; i++)
        {
            var rows = await store.JobClaimAsync(claim, cancellationToken);
            if (rows.Count == 0) break;
            await executor.RunAsync(rows[0], cancellationToken);
        }
    }
}
