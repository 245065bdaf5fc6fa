namespace Leora.Jobs;

/// <summary>A job's place in a batch (<see cref="IJobWorkflows.GetJobBatchAsync"/>): the batch, and whether the job is a member or one of its callbacks.</summary>
/// <param name="BatchId">The batch's id.</param>
/// <param name="Role">The job's role in the batch.</param>
public sealed record JobBatchLink(long BatchId, JobBatchRole Role);
