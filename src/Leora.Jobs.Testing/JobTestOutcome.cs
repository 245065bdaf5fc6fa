namespace Leora.Jobs.Testing;

/// <summary>How a handler ended one attempt in a test, by what it did (see <see cref="JobTestResult.WorkerOutcome"/> for what a worker would record).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(JobNameEnumConverter<JobTestOutcome>))]
public enum JobTestOutcome
{
    /// <summary>The handler returned: the job completes.</summary>
    Completed,
    /// <summary>The handler threw an ordinary exception: the attempt fails and is retried with backoff while attempts remain.</summary>
    Failed,
    /// <summary>The handler threw <see cref="RetryJobException"/>: the attempt fails and is retried after its chosen delay while attempts remain.</summary>
    RetryRequested,
    /// <summary>The handler threw <see cref="PermanentJobException"/>: the job fails at once, without retry.</summary>
    PermanentFailure,
    /// <summary>The handler's token fired (a cancel request or a lost lease) and the handler stopped by throwing.</summary>
    Cancelled,
}
