namespace Leora.Jobs;

/// <summary>
/// Pauses and resumes a queue or a job type (the HTTP API, the CLI and the dashboard use it). A pause is a row in the
/// database that the claim statement itself reads, so it holds from the next claim of every worker node and every batch
/// call (<see cref="IJobProcessor.ProcessBatchAsync"/>) on that database. Paused jobs stay pending and use no attempt; jobs
/// already running finish; enqueueing still works. Bad input throws <see cref="JobValidationException"/> (naming the field)
/// or <see cref="UnknownJobTypeException"/>.
/// </summary>
public interface IJobPauses
{
    /// <summary>
    /// Pauses a queue (any valid queue name: one with no jobs yet is fine) or a registered job type. Pausing what is already
    /// paused changes nothing. Returns the pause.
    /// </summary>
    Task<JobPause> PauseAsync(JobPauseScope scope, string name, CancellationToken cancellationToken = default);

    /// <summary>Resumes a queue or a job type, and wakes this process's idle workers (and, on PostgreSQL, every node's). False: it was not paused.</summary>
    Task<bool> ResumeAsync(JobPauseScope scope, string name, CancellationToken cancellationToken = default);

    /// <summary>Every pause, queues first, then types, each by name.</summary>
    Task<IReadOnlyList<JobPause>> ListAsync(CancellationToken cancellationToken = default);
}
