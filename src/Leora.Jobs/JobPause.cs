namespace Leora.Jobs;

/// <summary>
/// A paused queue or job type (<see cref="IJobPauses"/>): no worker and no batch call claims its pending jobs until it is
/// resumed. <see cref="PausedAt"/> is the database's time of the first pause (pausing again keeps it).
/// </summary>
public sealed record JobPause(JobPauseScope Scope, string Name, DateTimeOffset PausedAt);
