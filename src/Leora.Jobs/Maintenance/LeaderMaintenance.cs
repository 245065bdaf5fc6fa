using Leora.Jobs.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// The leader's maintenance in a host without a worker (<see cref="LeoraJobsBuilder.AddPruning"/>, e.g. an API-only
/// service fed by a cron): runs the <see cref="LeaderElector"/> and the <see cref="JobPruner"/>, so that finished jobs are
/// still pruned, by one node. Such a host takes part in the election without registering in the nodes table (the lease
/// is its own table): it runs no jobs, so stats and the dashboard do not list it as a worker node. Where a worker runs,
/// the worker runs both services itself and this does nothing.
/// </summary>
internal sealed class LeaderMaintenance : IHostedService
{
    private readonly JobNodeState _node;
    private readonly JobWorkerOptions _worker;
    private readonly LeaderElector _elector;
    private readonly JobPruner _pruner;

    public LeaderMaintenance(InstrumentedJobStore store, JobNodeState node, IOptions<JobWorkerOptions> worker,
        TimeProvider time, ILogger<LeaderMaintenance> logger)
    {
        _node = node;
        _worker = worker.Value;
        _elector = new LeaderElector(store, node, _worker.NodeHeartbeatInterval, _worker.LeaderLease, time, logger);
        _pruner = new JobPruner(store, node, _worker, time, logger);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_node.HasWorker) return;
        _worker.Validate();
        JobPruner.Validate(_worker);
        await _elector.StartAsync(cancellationToken);
        await _pruner.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _pruner.StopAsync(cancellationToken);
        await _elector.StopAsync(cancellationToken);
    }
}
