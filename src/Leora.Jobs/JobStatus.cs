namespace Leora.Jobs;

/// <summary>Where a job is in its life. <c>pending</c> may be due or scheduled for later (see <see cref="JobInfo.RunAt"/>).</summary>
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
}

/// <summary>The stored names of <see cref="JobStatus"/> values (lower case, as in the database and on the wire).</summary>
public static class JobStatusNames
{
    /// <summary>The stored name of a status.</summary>
    public static string ToName(this JobStatus status) => status switch
    {
        JobStatus.Pending => "pending",
        JobStatus.Processing => "processing",
        JobStatus.Completed => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>Parses a stored name; returns false for anything else.</summary>
    public static bool TryParse(string? name, out JobStatus status)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "pending": status = JobStatus.Pending; return true;
            case "processing": status = JobStatus.Processing; return true;
            case "completed": status = JobStatus.Completed; return true;
            case "failed": status = JobStatus.Failed; return true;
            case "cancelled": status = JobStatus.Cancelled; return true;
            default: status = default; return false;
        }
    }

    /// <summary>Parses a stored name; throws on anything else.</summary>
    public static JobStatus Parse(string name) =>
        TryParse(name, out var status) ? status : throw new FormatException($"Unknown job status '{name}'.");

    /// <summary>True for completed, failed and cancelled.</summary>
    public static bool IsFinished(this JobStatus status) =>
        status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
}
