namespace Leora.Jobs;

/// <summary>How one attempt ended.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<JobOutcome>))]
public enum JobOutcome
{
    /// <summary>The handler returned; the job is completed.</summary>
    Completed,
    /// <summary>The attempt failed and the job will run again later.</summary>
    Retried,
    /// <summary>The job failed for good (attempts used up, or a non-retryable error).</summary>
    Failed,
    /// <summary>The job was cancelled while running.</summary>
    Cancelled,
    /// <summary>The worker stopped; the job went back to pending without using an attempt.</summary>
    Released,
    /// <summary>The worker lost the job's lease (it was rescued elsewhere); nothing was written.</summary>
    LeaseLost,
    /// <summary>
    /// The handler handed the attempt to someone else who reports its outcome later (an HTTP job type's endpoint answered
    /// 202): the job stays processing, its lease extended, and the worker's slot is free.
    /// </summary>
    Deferred,
}

/// <summary>The report of one attempt run by a processor or worker.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Type">The job's type.</param>
/// <param name="Outcome">How the attempt ended.</param>
/// <param name="DurationMs">How long the handler ran, in milliseconds.</param>
/// <param name="Error">The error message, for attempts that did not complete.</param>
public sealed record JobRunReport(long Id, string Type, JobOutcome Outcome, double DurationMs, string? Error);
