using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// The leader's maintenance in a host without a worker (<see cref="LeoraJobsBuilder.AddPruning"/>, e.g. an API-only
/// service fed by a cron): runs the <see cref="LeaderElector"/>, the <see cref="JobPruner"/> and the <see cref="JobScheduler"/>,
/// so that finished jobs are still pruned and schedules evaluated, by one node. Such a host takes part in the election without registering in the nodes table (the lease
/// is its own table): it runs no jobs, so stats and the dashboard do not list it as a worker node. Where a worker runs,
/// the worker runs the same two services (one of each per container) and this does nothing.
/// </summary>
internal sealed class LeaderMaintenance(JobNodeState node, IOptions<JobWorkerOptions> worker, LeaderElector elector, JobPruner pruner,
    JobScheduler scheduler)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (node.HasWorker) return;
        worker.Value.Validate();
        JobPruner.Validate(worker.Value);
        await elector.StartAsync(cancellationToken);
        await pruner.StartAsync(cancellationToken);
        await scheduler.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The worker's services (the same instances): the worker stops them in its own order, after its jobs' grace.
        if (node.HasWorker) return;
        await scheduler.StopAsync(cancellationToken);
        await pruner.StopAsync(cancellationToken);
        await elector.StopAsync(cancellationToken);
    }
}
