namespace Leora.Jobs;

/// <summary>
/// Runs jobs of one type. Resolved from DI in a fresh scope for every attempt.
/// Return normally to complete the job; throw to fail the attempt (it is retried with backoff until its
/// attempts are used up); throw <see cref="PermanentJobException"/> to fail without retry, or
/// <see cref="RetryJobException"/> to retry after a chosen delay.
/// </summary>
/// <typeparam name="TArgs">The job type's payload.</typeparam>
public interface IJobHandler<TArgs> where TArgs : IJobArgs
{
    /// <summary>Runs one attempt of the job. <paramref name="cancellationToken"/> fires on timeout, cancellation, lost lease or shutdown.</summary>
    Task HandleAsync(JobContext<TArgs> job, CancellationToken cancellationToken);
}
