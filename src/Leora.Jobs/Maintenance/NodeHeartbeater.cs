using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// Registers this worker node in the nodes table and refreshes its row every <see cref="JobWorkerOptions.NodeHeartbeatInterval"/>
/// (queues, the job types it has handlers for, concurrency, jobs running now), so that stats and the dashboard list it and the leader can tell a silent node.
/// Stop removes the row (best effort: a node that cannot say goodbye is removed by the leader once its heartbeat is stale).
/// </summary>
internal sealed class NodeHeartbeater(
    IJobStore store,
    JobNodeState node,
    string queues,
    string kinds,
    int concurrency,
    TimeSpan interval,
    TimeProvider time,
    ILogger logger) : StartStopService
{
    protected override Task RunAsync(CancellationToken stopping) =>
        RepeatAsync(ct => store.NodeHeartbeatAsync(new NodeHeartbeatParams(node.NodeName, queues, concurrency, node.RunningCount) { Kinds = kinds }, ct),
            interval, time, ex => Log.WorkerLoopFailed(logger, ex, "node", interval), stopping);

    protected override async Task OnStoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = new CancellationTokenSource(LeaderElector.GoodbyeTimeout);
            await store.NodeDeleteAsync(node.NodeName, timeout.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.WorkerLoopFailed(logger, ex, "node", TimeSpan.Zero);
        }
    }
}
