namespace Leora.Jobs;

/// <summary>Where a job is in its life. <c>pending</c> may be due or scheduled for later (see <see cref="JobInfo.RunAt"/>).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<JobStatus>))]
public enum JobStatus
{
    /// <summary>Waiting to run, now or at <see cref="JobInfo.RunAt"/> (scheduled or waiting to retry).</summary>
    Pending,
    /// <summary>Claimed by a worker that holds its lease.</summary>
    Processing,
    /// <summary>Finished successfully.</summary>
    Completed,
    /// <summary>Attempts used up, or failed with a non-retryable error.</summary>
    Failed,
    /// <summary>Cancelled before or while running.</summary>
    Cancelled,
    /// <summary>
    /// Waiting for other jobs: its parents to finish, or (a batch's callback) its batch; never claimed until then, when it
    /// becomes pending (docs/workflows.md).
    /// </summary>
    Waiting,
}

/// <summary>Status names as extension methods, for brevity at call sites; the names themselves are <see cref="JobNames"/>'s.</summary>
internal static class JobStatusNames
{
    /// <summary>The stored name of a status (<see cref="JobNames.Status"/>).</summary>
    public static string ToName(this JobStatus status) => JobNames.Status(status);

    /// <summary>True for completed, failed and cancelled.</summary>
    public static bool IsFinished(this JobStatus status) =>
        status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
}
