using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// Takes or renews the maintenance leader's lease (<see cref="JobWorkerOptions.LeaderLease"/>) every
/// <see cref="JobWorkerOptions.NodeHeartbeatInterval"/> and records the answer in <see cref="JobNodeState.IsLeader"/>, which the
/// leader-only services (<see cref="JobPruner"/>) read. The lease is its own table, apart from the nodes table, so a host
/// without a worker (an API-only service that prunes) can elect without being listed as a worker node. Stop resigns, so
/// another node can take over at once instead of when the lease expires.
/// </summary>
internal sealed class LeaderElector(
    IJobStore store,
    JobNodeState node,
    TimeSpan interval,
    TimeSpan lease,
    TimeProvider time,
    ILogger logger) : StartStopService
{
    /// <summary>How long a stopping node tries to say goodbye (resign, leave the nodes table) before it gives up.</summary>
    public static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>This container's elector (one per container: the worker runs it, or <see cref="LeaderMaintenance"/> where no worker runs).</summary>
    internal static LeaderElector Create(IServiceProvider services)
    {
        var worker = services.GetRequiredService<IOptions<JobWorkerOptions>>().Value;
        return new LeaderElector(services.GetRequiredService<InstrumentedJobStore>(), services.GetRequiredService<JobNodeState>(),
            worker.NodeHeartbeatInterval, worker.LeaderLease, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<LeaderElector>>());
    }

    protected override Task RunAsync(CancellationToken stopping) =>
        RepeatAsync(async ct => Record(await store.LeaderElectAsync(node.NodeName, lease, ct)), interval, time, ex =>
        {
            // Without a renewal this node cannot know it still leads: stop acting as leader until it renews.
            node.IsLeader = false;
            Log.MaintenanceFailed(logger, ex, "leader election", interval);
        }, stopping);

    private void Record(bool leader)
    {
        if (leader == node.IsLeader) return;
        if (leader) Log.LeaderElected(logger, node.NodeName);
        else Log.LeaderLost(logger, node.NodeName);
        node.IsLeader = leader;
    }

    protected override async Task OnStoppedAsync(CancellationToken cancellationToken)
    {
        if (!node.IsLeader) return;
        node.IsLeader = false;
        try
        {
            using var timeout = new CancellationTokenSource(GoodbyeTimeout);
            await store.LeaderResignAsync(node.NodeName, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The lease then passes on when it expires.
            Log.MaintenanceFailed(logger, ex, "leader election", TimeSpan.Zero);
        }
    }
}
