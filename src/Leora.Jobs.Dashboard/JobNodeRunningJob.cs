namespace Leora.Jobs.Dashboard;

/// <summary>A job that a worker node is running now.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Type">The job type.</param>
/// <param name="Queue">The job's queue.</param>
/// <param name="Progress">Progress reported by the handler, 0–100, if any.</param>
/// <param name="StartedAt">When the attempt started.</param>
public sealed record JobNodeRunningJob(long Id, string Type, string Queue, int? Progress, DateTimeOffset? StartedAt);
