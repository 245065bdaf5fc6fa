namespace Leora.Jobs;

/// <summary>What happened to a job, in one row of its timeline (<see cref="JobEvent"/>). On the wire in snake case: <c>cancel_requested</c>.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<JobEventKind>))]
public enum JobEventKind
{
    /// <summary>The job was enqueued (read from the job's own creation time; not stored as a row).</summary>
    Enqueued,
    /// <summary>A worker claimed it and an attempt started (<see cref="JobEvent.Worker"/>, <see cref="JobEvent.Attempt"/>).</summary>
    Claimed,
    /// <summary>The attempt completed: the job is done.</summary>
    Completed,
    /// <summary>The attempt failed (<see cref="JobEvent.Message"/>): the job waits to retry (status pending) or failed for good (status failed).</summary>
    Failed,
    /// <summary>The worker's lease expired and maintenance took the job back (to pending, or failed when no attempt was left).</summary>
    Rescued,
    /// <summary>The worker handed the job back unrun at shutdown; the attempt was not counted.</summary>
    Released,
    /// <summary>The job ended cancelled: cancelled while pending, or its handler stopped after a cancel request.</summary>
    Cancelled,
    /// <summary>Someone asked the running job to stop.</summary>
    CancelRequested,
    /// <summary>A failed or cancelled job was sent back to pending by hand.</summary>
    Retried,
    /// <summary>A waiting job (scheduled, or waiting to retry) was made due at once by hand ("run now").</summary>
    RunNow,
}
