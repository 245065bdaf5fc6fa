using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// The maintenance leader's schedule evaluation: every <see cref="Interval"/>, while this node holds the leader's lease
/// (<see cref="JobNodeState.IsLeader"/>), it enqueues the due ticks of every schedule (<see cref="IJobSchedules.EnqueueDueAsync"/>).
/// Batch calls (<c>POST /api/jobs/process</c>, the CLI's <c>process</c>) do the same before they claim, so a deployment whose
/// only trigger is one external cron gets every schedule too; the compare-and-set on each schedule's next run keeps one job
/// per tick however many of them evaluate at once.
/// </summary>
internal sealed class JobScheduler(JobSchedules schedules, JobNodeState node, TimeProvider time, ILogger logger) : StartStopService
{
    /// <summary>How often the leader looks for due ticks: a tick is enqueued within about this long of its time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>This container's scheduler (one per container: the worker runs it, or <see cref="LeaderMaintenance"/> where no worker runs).</summary>
    internal static JobScheduler Create(IServiceProvider services) => new(services.GetRequiredService<JobSchedules>(),
        services.GetRequiredService<JobNodeState>(), services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<JobScheduler>>());

    protected override Task RunAsync(CancellationToken stopping) =>
        RepeatAsync(async ct =>
        {
            if (node.IsLeader) await schedules.EnqueueDueAsync(ct);
        }, Interval, time, ex => Log.MaintenanceFailed(logger, ex, "schedules", Interval), stopping);
}
