namespace Leora.Jobs;

/// <summary>
/// Creates, reads and steers recurring schedules (the HTTP API, the CLI and the dashboard use it), and enqueues their due
/// ticks. Each tick's job carries the idempotency key <c>schedule:&lt;name&gt;:&lt;tick in UTC&gt;</c>, and the schedule's
/// next run is moved on with a compare-and-set in the same transaction, so a tick is enqueued once however many nodes and
/// batch calls evaluate it. Bad input throws <see cref="JobValidationException"/> (naming the field) or
/// <see cref="UnknownJobTypeException"/>.
/// </summary>
public interface IJobSchedules
{
    /// <summary>Creates a schedule (its payload checked against its type as an enqueue's is). Null when the name is taken: nothing was written.</summary>
    Task<JobScheduleInfo?> CreateAsync(JobSchedule schedule, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the definition of the schedule named <see cref="JobSchedule.Name"/>. Its next run is kept while the cron
    /// expression, the zone and the enabled flag are unchanged; otherwise it is the next tick from now. Null: no such schedule.
    /// </summary>
    Task<JobScheduleInfo?> UpdateAsync(JobSchedule schedule, CancellationToken cancellationToken = default);

    /// <summary>Reads one schedule, or null.</summary>
    Task<JobScheduleInfo?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every schedule, by name.</summary>
    Task<IReadOnlyList<JobScheduleInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Enables or disables a schedule. Enabling starts from the next tick after now: ticks missed while it was disabled are
    /// not enqueued. Null: no such schedule.
    /// </summary>
    Task<JobScheduleInfo?> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues the schedule's job now, outside its ticks (enabled or not, whatever its overlap policy), and records it as
    /// the schedule's last job. Null: no such schedule.
    /// </summary>
    Task<JobInfo?> TriggerAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes a schedule; the jobs it enqueued stay. False: no such schedule.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues every due tick of every enabled schedule, by their misfire and overlap policies, and returns how many jobs
    /// were enqueued. The maintenance leader calls it every second and every batch (<see cref="IJobProcessor.ProcessBatchAsync"/>)
    /// first; calling it from anywhere else is safe too.
    /// </summary>
    Task<int> EnqueueDueAsync(CancellationToken cancellationToken = default);
}
