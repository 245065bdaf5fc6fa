using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// Sends jobs whose lease expired (their worker died or hung) back to pending, every <see cref="JobWorkerOptions.RescueInterval"/>.
/// Runs on every worker node, not only the leader: a rescue is one cheap bounded statement, and a node that rescues
/// for itself needs no other node alive (DESIGN invariant 5).
/// </summary>
internal sealed class JobRescuer(IJobProcessor processor, TimeSpan interval, TimeProvider time, ILogger logger) : StartStopService
{
    protected override Task RunAsync(CancellationToken stopping) =>
        RepeatAsync(processor.RescueExpiredAsync, interval, time, ex => Log.WorkerLoopFailed(logger, ex, "rescue", interval), stopping);
}
