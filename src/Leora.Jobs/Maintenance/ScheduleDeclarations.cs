using Microsoft.Extensions.Hosting;

namespace Leora.Jobs.Maintenance;

/// <summary>
/// Brings the schedules declared in code (<see cref="LeoraJobsBuilder.AddSchedule(JobSchedule)"/>) and configuration up to
/// date when the host starts, after the migrations (it is registered after the migrator, and hosted services start in
/// order). A declaration that does not validate (a bad cron, an unknown type) stops the start with a message naming it.
/// </summary>
internal sealed class ScheduleDeclarations(JobSchedules schedules) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => schedules.UpsertDeclaredAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
