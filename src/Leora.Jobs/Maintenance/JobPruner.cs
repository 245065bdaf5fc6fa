using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// The maintenance leader's clean-up, done only while this node holds the leader's lease (<see cref="JobNodeState.IsLeader"/>,
/// kept by <see cref="LeaderElector"/>), so that one node does it however many run (DESIGN invariant 5). Every
/// <see cref="JobWorkerOptions.NodeHeartbeatInterval"/> it removes nodes whose heartbeat is stale; when
/// <see cref="JobWorkerOptions.Retention"/> is set it deletes finished jobs older than that, every
/// <see cref="JobWorkerOptions.PruneInterval"/>, in statements of <see cref="JobWorkerOptions.PruneBatchSize"/> rows through the one batched delete loop
/// that the HTTP API's and the CLI's cleanup use (<see cref="IJobClient.CleanupAsync(TimeSpan, CancellationToken)"/>).
/// </summary>
internal sealed class JobPruner(
    IJobStore store,
    JobNodeState node,
    JobWorkerOptions worker,
    TimeProvider time,
    ILogger logger) : StartStopService
{
    // A freshly started host prunes after one interval, but at most a minute after start: with an hourly interval it
    // should not keep an hour of backlog, and a minute keeps the first delete away from its own start-up.
    private static readonly TimeSpan MaxFirstDelay = TimeSpan.FromMinutes(1);

    /// <summary>This container's pruner (one per container: the worker runs it, or <see cref="LeaderMaintenance"/> where no worker runs).</summary>
    internal static JobPruner Create(IServiceProvider services) => new(services.GetRequiredService<InstrumentedJobStore>(),
        services.GetRequiredService<JobNodeState>(), services.GetRequiredService<IOptions<JobWorkerOptions>>().Value,
        services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<JobPruner>>());

    /// <summary>How long a node may stay silent before the leader removes it: the leader's lease, or five heartbeats if longer.</summary>
    public TimeSpan StaleNodeAge => TimeSpan.FromTicks(Math.Max(worker.LeaderLease.Ticks, worker.NodeHeartbeatInterval.Ticks * 5));

    /// <summary>Checks the one setting only the pruner reads (<see cref="JobWorkerOptions.Validate"/> checks the others).</summary>
    public static void Validate(JobWorkerOptions worker)
    {
        if (worker.PruneInterval is { } every && every <= TimeSpan.Zero)
            throw new InvalidOperationException("Jobs:Worker:PruneInterval must be positive (or null to prune at every node heartbeat).");
    }

    private TimeSpan PruneEvery => worker.PruneInterval ?? worker.NodeHeartbeatInterval;

    protected override async Task RunAsync(CancellationToken stopping)
    {
        var interval = worker.NodeHeartbeatInterval;
        var nextPrune = time.GetUtcNow() + (PruneEvery < MaxFirstDelay ? PruneEvery : MaxFirstDelay);
        while (!stopping.IsCancellationRequested)
        {
            // First wait: the elector's first vote lands meanwhile.
            try { await Task.Delay(interval, time, stopping); }
            catch (OperationCanceledException) { break; }
            if (!node.IsLeader) continue;
            try
            {
                await store.NodeDeleteStaleAsync(StaleNodeAge, stopping);
                if (worker.Retention is { } retention && time.GetUtcNow() >= nextPrune)
                {
                    nextPrune = time.GetUtcNow() + PruneEvery;
                    var deleted = await JobClient.DeleteFinishedAsync(store, retention, worker.PruneBatchSize, null, stopping);
                    // A count beyond int.MaxValue in one pass is not a real case; the log's count is an int.
                    if (deleted > 0) Log.Pruned(logger, (int)Math.Min(deleted, int.MaxValue), retention);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.MaintenanceFailed(logger, ex, "pruning", interval);
            }
        }
    }
}
